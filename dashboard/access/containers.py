"""The gatekeeper of containers: the ones a user may see, and one by its reference."""

from typing import Any

from django.utils.translation import gettext as _

from dashboard.access.objects import inspected, visible_with_rights
from dashboard.access.roles import Rights, User, grants_for
from dashboard.engine import containers as engine_containers
from dashboard.engine.errors import Ambiguous, Denied, NotFound
from dashboard.policy.ownership import Kind, Owner, owner_of


def visible_containers(user: User) -> list[dict[str, Any]]:
    """The containers the user may see: one engine list call narrowed by label, then one query
    of their ownership records."""
    return visible_containers_with_rights(user)[0]


def visible_containers_with_rights(user: User) -> tuple[list[dict], dict[str, Rights]]:
    """The containers the user may see, and the user's rights on each, by id: the same one
    engine call and one query."""
    return visible_with_rights(user, Kind.CONTAINER, engine_containers.list_containers)


def access_container(user: User, ref: str, *, change: bool = False) -> dict[str, Any]:
    """The container's inspect data; ``NotFound`` alike for a missing or hidden one, and
    ``Denied`` when ``change`` is asked of a user who may only look."""
    return access_owned_container(user, ref, change=change)[0]


def access_owned_container(
    user: User, ref: str, *, change: bool = False
) -> tuple[dict[str, Any], Owner | None, Rights]:
    """``access_container``, with the container's ownership record and the user's rights."""
    missing = _("No such container: %(ref)s")
    grants = grants_for(user)
    if not grants.has_team:
        raise NotFound(missing % {"ref": ref})
    try:
        container = inspected(engine_containers.inspect_container, ref, missing)
    except Ambiguous:
        container = engine_containers.inspect_container(_the_visible_one(user, ref, missing))
    owner = owner_of(Kind.CONTAINER, container["Id"])
    rights = grants.rights(owner)
    if rights is Rights.NONE:
        raise NotFound(missing % {"ref": ref})
    if change and rights is not Rights.WRITE:
        raise Denied(_("You may only look at this container."))
    return container, owner, rights


def _the_visible_one(user: User, ref: str, missing: str) -> str:
    """The id of the one container the user may see whose id begins with ``ref``, a short id
    that begins several ids on the engine. Only the user's own count: a prefix shared with a
    container they may not see neither fails nor tells them it exists."""
    # The engine's id filter finds nothing for an ambiguous prefix, so the list is narrowed here.
    seen = [found["Id"] for found in visible_containers(user) if found["Id"].startswith(ref)]
    if not seen:
        raise NotFound(missing % {"ref": ref})
    if len(seen) > 1:
        raise Ambiguous(
            _("%(count)s containers begin with %(ref)s: give more of the id.")
            % {"count": len(seen), "ref": ref}
        )
    return seen[0]
