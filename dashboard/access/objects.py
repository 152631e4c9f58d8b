"""The gatekeeper's common steps: one engine list call narrowed by label, then one query of the
ownership records for the user's rights; an inspect whose "not found" names what was asked.

"Not found" and "not allowed to see" raise the same ``NotFound``, so a user cannot probe for
objects they may not see. An object they may see but not change answers ``Denied`` (403) to a
change. The rules are in ``dashboard.access.roles``.
"""

from collections.abc import Callable
from typing import Any

from dashboard.access.roles import Rights, User, grants_for
from dashboard.engine.errors import Denied, NotFound
from dashboard.policy.ownership import object_id, owner_of_found, owners, record_of


def visible_with_rights(
    user: User, kind: str, lister: Callable[[list[str]], list[dict]]
) -> tuple[list[dict], dict[str, Rights]]:
    """Containers, volumes and networks belong to people alike: one engine list call narrowed
    by label, then one query of their records for the rights."""
    filters = grants_for(user).list_filters()
    if filters is None:
        return [], {}
    found = lister(filters)
    rights = rights_on(user, kind, found)
    return [item for item in found if rights[object_id(kind, item)] is not Rights.NONE], rights


def seen_by(user: User, kind: str, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The objects of ``found`` the user may see, by their ownership records (one query)."""
    rights = rights_on(user, kind, found)
    return [item for item in found if rights[object_id(kind, item)] is not Rights.NONE]


def rights_on(user: User, kind: str, found: list[dict[str, Any]]) -> dict[str, Rights]:
    """The user's rights on each object of ``found``, by id: one query of their ownership
    records (none for administrators, who may do anything)."""
    grants = grants_for(user)
    ids = [object_id(kind, item) for item in found]
    if grants.admin:
        return dict.fromkeys(ids, Rights.WRITE)
    known = owners(kind, ids)
    return {
        object_id(kind, item): grants.rights(
            record_of(kind, item, known.get(object_id(kind, item)))
        )
        for item in found
    }


def inspected(lookup: Callable[[str], dict[str, Any]], ref: str, missing: str) -> dict[str, Any]:
    try:
        return lookup(ref)
    except NotFound:
        raise NotFound(missing % {"ref": ref}) from None


def access_owned(
    user: User, kind: str, found: dict[str, Any], change: bool, missing: str, read_only: str
) -> tuple[dict[str, Any], Rights]:
    """``found`` and the user's rights on it, by its ownership record; ``NotFound`` when they
    have none, ``Denied`` when ``change`` is asked of a user who may only look."""
    rights = grants_for(user).rights(owner_of_found(kind, found))
    if rights is Rights.NONE:
        raise NotFound(missing)
    if change and rights is not Rights.WRITE:
        raise Denied(read_only)
    return found, rights
