"""The gatekeeper of volumes: the ones a user may see, mount, and change."""

from typing import Any

from django.utils.translation import gettext as _

from dashboard.access.objects import access_owned, inspected, visible_with_rights
from dashboard.access.roles import Rights, User, grants_for
from dashboard.engine import volumes as engine_volumes
from dashboard.engine.errors import NotFound
from dashboard.policy.ownership import Kind


def visible_volumes(user: User) -> list[dict[str, Any]]:
    return visible_volumes_with_rights(user)[0]


def visible_volumes_with_rights(user: User) -> tuple[list[dict], dict[str, Rights]]:
    """The volumes the user may see, and the user's rights on each, by name."""
    return visible_with_rights(user, Kind.VOLUME, engine_volumes.list_volumes)


def access_volume(user: User, name: str, *, change: bool = False) -> dict[str, Any]:
    """The volume's inspect data; ``NotFound`` alike for a missing or hidden one."""
    return access_volume_with_rights(user, name, change=change)[0]


def access_volume_with_rights(
    user: User, name: str, *, change: bool = False
) -> tuple[dict[str, Any], Rights]:
    """``access_volume``, with the user's rights on the volume."""
    missing = _("No such volume: %(ref)s")
    if not grants_for(user).has_team:
        raise NotFound(missing % {"ref": name})
    volume = inspected(engine_volumes.inspect_volume, name, missing)
    return access_owned(
        user,
        Kind.VOLUME,
        volume,
        change,
        missing % {"ref": name},
        _("You may only look at this volume."),
    )


def usable_volume_names(user: User) -> list[str]:
    """The volumes the user's containers may mount: their own (an instructor's: the team's)."""
    volumes, rights = visible_volumes_with_rights(user)
    return sorted(volume["Name"] for volume in volumes if rights[volume["Name"]] is Rights.WRITE)
