"""Who an engine object belongs to: Dockboard's own record (``OwnershipRecord``), written by the
policy gate as it admits the object, never an engine label (an image, the CLI or another
installation can write those). Labels only narrow a list at the engine; a row counts as
someone's only when the record says so, and an object with no record is the administrators'.
"""

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from dashboard.engine import current as engine
from dashboard.engine import networks as engine_networks
from dashboard.engine.errors import NotFound
from dashboard.models import Installation, OwnershipRecord, Team
from dashboard.policy import labels

if TYPE_CHECKING:  # grants reads its rules off the records held here
    from dashboard.access.roles import Grants

OBJECT_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$", re.ASCII)
Kind = OwnershipRecord.Kind


# Where the engine's answers keep each kind's id (a volume is known by its name).
ID_KEYS = {Kind.VOLUME: "Name", Kind.SERVICE: "ID"}


def object_id(kind: str, found: dict[str, Any]) -> str:
    return found[ID_KEYS.get(kind, "Id")]


@dataclass(frozen=True)
class Owner:
    """What the record holds of one object."""

    owner_id: int | None
    team_id: int | None
    lab_session: str = ""
    mark: str = ""


@cache
def installation_id() -> str:
    """This installation's id (made by the first migrate; kept for the process's life). One row,
    pk 1: processes that find it missing at once make it once between them."""
    return str(Installation.objects.get_or_create(pk=1)[0].uuid)


def made_elsewhere(found: dict[str, Any]) -> bool:
    """Whether another installation on the engine made the object, by its label: that one's
    to prune, reap and count, never this one's (an administrator may still act on it)."""
    made_by = (found.get("Labels") or {}).get(labels.INSTALLATION)
    return bool(made_by) and made_by != installation_id()


def creation_labels(owner_id: int | None, team_id: int | None) -> dict[str, str]:
    """The labels Dockboard writes on what it creates: they let one engine call list a user's
    objects, and tell installations apart; rights never come from them. Made for a team (no
    member's yet), the owner is empty."""
    owner = "" if owner_id is None else str(owner_id)
    written = {labels.INSTALLATION: installation_id(), labels.OWNER: owner}
    return written if team_id is None else {**written, labels.TEAM: str(team_id)}


def record(
    kind: str,
    object_id: str,
    owner_id: int | None,
    team_id: int | None,
    *,
    lab_session: str = "",
    memory: int = 0,
    nano_cpus: int = 0,
    mark: str = "",
) -> None:
    """Enter an object the gate admitted on the current engine (again: the newest wins);
    ``mark``, a volume's mark (``volume_labels``)."""
    OwnershipRecord.objects.update_or_create(
        engine=engine.current_name(),
        kind=kind,
        object_id=object_id,
        defaults={
            "owner_id": owner_id,
            "team_id": team_id,
            "lab_session": lab_session,
            "memory": memory,
            "nano_cpus": nano_cpus,
            "mark": mark,
        },
    )


def forget(kind: str, object_id: str) -> None:
    OwnershipRecord.objects.filter(
        engine=engine.current_name(), kind=kind, object_id=object_id
    ).delete()


def owners(kind: str, object_ids: Iterable[str]) -> dict[str, Owner]:
    """The records of these objects on the current engine, by id: one query."""
    wanted = list(object_ids)
    if not wanted:
        return {}
    found = OwnershipRecord.objects.filter(
        engine=engine.current_name(), kind=kind, object_id__in=wanted
    ).values_list("object_id", "owner_id", "team_id", "lab_session", "mark")
    return {object_id: Owner(*rest) for object_id, *rest in found}


def owner_of(kind: str, object_id: str) -> Owner | None:
    return owners(kind, [object_id]).get(object_id)


def record_of(kind: str, found: dict[str, Any], owner: Owner | None) -> Owner | None:
    """``owner`` if its record is of this very object: a volume made again under a recorded
    name (by the CLI, another installation) lacks the record's mark. Records from before
    volumes were marked hold for the volume of their name."""
    if owner is None or kind != Kind.VOLUME or not owner.mark:
        return owner
    return owner if (found.get("Labels") or {}).get(labels.VOLUME_MARK) == owner.mark else None


def volume_labels(owned: dict[str, str]) -> tuple[dict[str, str], str]:
    """The labels of a new volume: ``owned`` and a mark of its own; and the mark, to record."""
    mark = secrets.token_hex(16)
    return {**owned, labels.VOLUME_MARK: mark}, mark


def owner_of_found(kind: str, found: dict[str, Any]) -> Owner | None:
    """The record of an object the engine has just described."""
    return record_of(kind, found, owner_of(kind, object_id(kind, found)))


def engines_holding(kind: str, object_id: str, owner_id: int) -> list[str]:
    """The engines where the record says ``owner_id`` holds the object (a volume, by name)."""
    return list(
        OwnershipRecord.objects.filter(kind=kind, object_id=object_id, owner_id=owner_id)
        .order_by("engine")
        .values_list("engine", flat=True)
    )


def held_memory(container_ids: list[str]) -> int:
    """The memory these containers on the current engine were admitted requesting."""
    return sum(
        OwnershipRecord.objects.filter(
            engine=engine.current_name(), kind=Kind.CONTAINER, object_id__in=container_ids
        ).values_list("memory", flat=True)
    )


def owns(grants: "Grants", team: Team, owner: Owner | None) -> bool:
    """Whether an object is the user's own in the team (an instructor's: the team's)."""
    return (
        owner is not None
        and owner.team_id == team.pk
        and (grants.roles.get(team.pk) == "instructor" or owner.owner_id == grants.user_id)
    )


def own_network(grants: "Grants", team: Team, name: str) -> bool:
    if not OBJECT_NAME.match(name):
        return False
    try:
        network = engine_networks.inspect_network(name)
    except NotFound:
        return False
    owner = owner_of(Kind.NETWORK, network["Id"])
    return network.get("Driver") == "bridge" and owns(grants, team, owner)
