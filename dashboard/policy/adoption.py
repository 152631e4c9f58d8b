"""What the release before ownership records made: containers, volumes, networks and services
labelled with an owner (and a team) by that release's gate, but with no installation label and
no record. They are adopted: recorded as their labels say, so their owners keep them.

A label alone must never make anyone an owner (an image, the CLI or another installation can
write one), so an object is adopted only if this installation's audit log has its create, the
engine made it before this installation got its id (the upgrade), and after its labelled
owner's account was made. Nothing made since, nothing labelled for a user who did not exist
yet, and nothing another installation made (its ids repeat ours) is ever adopted. Run by the
task worker's housekeeping (at its start, then hourly) on every engine: what has a record is
left as it is.
"""

import contextlib
import re
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.dispatch import receiver

from dashboard.engine import containers as engine_containers
from dashboard.engine import current as engine
from dashboard.engine import networks as engine_networks
from dashboard.engine import registry
from dashboard.engine import swarm as engine_swarm
from dashboard.engine import volumes as engine_volumes
from dashboard.engine.errors import EngineError
from dashboard.models import AuditEvent, Installation, Team
from dashboard.ops.housekeeping import housekeeping
from dashboard.policy import labels
from dashboard.policy.ownership import ID_KEYS, Kind, object_id, owners, record

# RFC 3339 as the engine writes it, with up to nanoseconds: 2026-12-06T18:00:00.123456789Z
RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$")


def created(found: dict[str, Any]) -> datetime | None:
    """When the engine made it: a container's ``Created`` (seconds), or the others' RFC 3339
    ``CreatedAt`` / ``Created`` (cut to microseconds)."""
    value = found.get("CreatedAt") or found.get("Created")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    match = RFC3339.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    seconds, fraction, zone = match.groups()
    micro = (fraction or "0")[:6].ljust(6, "0")
    return datetime.fromisoformat(f"{seconds}.{micro}{'+00:00' if zone == 'Z' else zone}")


def _labelled(kind: str) -> list[dict[str, Any]]:
    """The engine's objects of ``kind`` with an owner label: one list call."""
    selector = [labels.OWNER]
    if kind == Kind.CONTAINER:
        return engine_containers.list_containers(selector)
    if kind == Kind.VOLUME:
        return engine_volumes.list_volumes(selector)
    if kind == Kind.NETWORK:
        return engine_networks.list_networks(selector)
    if not engine_swarm.swarm_state().get("ControlAvailable"):
        return []  # no Swarm manager: no services
    return engine_swarm.list_services(selector)


def _labels_of(found: dict[str, Any]) -> dict[str, str]:
    return found.get("Labels") or (found.get("Spec") or {}).get("Labels") or {}


# The audit rows of each kind's creates, and what in them names the object.
CREATES = {
    Kind.CONTAINER: (("create", "run"), "target_id"),
    Kind.VOLUME: (("volume-create",), "target_name"),
    Kind.NETWORK: (("network-create",), "target_name"),
    Kind.SERVICE: (("service-create",), "target_id"),
}


def _made_here(kind: str) -> set[str]:
    """What this installation's audit log says it created of ``kind``: ids, or names."""
    actions, field = CREATES[kind]
    rows = AuditEvent.objects.filter(action__in=actions, outcome=AuditEvent.Outcome.OK)
    return set(rows.exclude(**{field: ""}).values_list(field, flat=True))


def adopt(kind: str, upgraded_at: datetime) -> int:
    """Record the current engine's objects of ``kind`` that the release before made; how many."""
    made_here = _made_here(kind)
    name_of = "Name" if kind in (Kind.VOLUME, Kind.NETWORK) else ID_KEYS.get(kind, "Id")
    candidates = [
        found
        for found in _labelled(kind)
        if labels.INSTALLATION not in _labels_of(found)
        and found.get(name_of) in made_here
        and (made := created(found)) is not None
        and made < upgraded_at
    ]
    known = owners(kind, [object_id(kind, found) for found in candidates])
    people = dict(get_user_model().objects.values_list("pk", "date_joined"))
    teams = set(Team.objects.values_list("pk", flat=True))
    adopted = 0
    for found in candidates:
        marks = _labels_of(found)
        owner, team = marks.get(labels.OWNER, ""), marks.get(labels.TEAM, "")
        if object_id(kind, found) in known or not owner.isdecimal() or int(owner) not in people:
            continue
        if people[int(owner)].replace(microsecond=0) > created(found):
            continue  # labelled for an account made after it (the engine counts whole seconds)
        if team and not (team.isdecimal() and int(team) in teams):
            continue  # a team that is gone
        record(
            kind,
            object_id(kind, found),
            int(owner),
            int(team) if team else None,
            lab_session=marks.get(labels.LAB_SESSION, ""),
        )
        adopted += 1
    return adopted


@receiver(housekeeping, dispatch_uid="dashboard.adoption")
def adopt_everywhere(**_: object) -> None:
    upgraded_at = Installation.objects.get_or_create(pk=1)[0].created_at
    for address in registry.every_engine():
        with engine.on(address.name), contextlib.suppress(EngineError):  # down: the next hour
            for kind in (Kind.CONTAINER, Kind.VOLUME, Kind.NETWORK, Kind.SERVICE):
                adopt(kind, upgraded_at)
