"""The gatekeeper of Swarm services: seen by their ownership records, as containers."""

from typing import Any

from django.utils.translation import gettext as _

from dashboard.access.objects import inspected, seen_by
from dashboard.access.roles import Rights, User, grants_for
from dashboard.engine import swarm as engine_swarm
from dashboard.engine.errors import NotFound
from dashboard.policy.ownership import Kind, owner_of


def visible_services(user: User) -> list[dict[str, Any]]:
    """The Swarm services the user may see: by their ownership records, as containers."""
    grants = grants_for(user)
    filters = grants.list_filters()
    if filters is None:
        return []
    return seen_by(user, Kind.SERVICE, engine_swarm.list_services(filters))


def access_service(user: User, ref: str) -> dict[str, Any]:
    """A service the user may see, or ``NotFound`` alike for a missing or hidden one."""
    missing = _("No such service: %(ref)s")
    if not grants_for(user).has_team:
        raise NotFound(missing % {"ref": ref})
    service = inspected(engine_swarm.inspect_service, ref, missing)
    if grants_for(user).rights(owner_of(Kind.SERVICE, service["ID"])) is Rights.NONE:
        raise NotFound(missing % {"ref": ref})
    return service
