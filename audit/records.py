"""An audit row as the sinks send it: a flat JSON object, the same for every sink."""

from datetime import UTC
from typing import Any

from dashboard.models import AuditEvent
from dashboard.policy import ownership


def as_record(row: AuditEvent) -> dict[str, Any]:
    """The row's fields, with its team's name (the row keeps the team's id) and the
    installation that wrote it, so that several installations can share one receiver."""
    return {
        "id": row.pk,
        "time": row.created_at.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z",
        "installation": ownership.installation_id(),
        "actor": row.actor_name,
        "actor_id": row.actor_id,
        "client_ip": row.client_ip,
        "team": row.team.name if row.team else None,
        "team_id": row.team_id,
        "action": row.action,
        "target_kind": row.target_kind,
        "target_id": row.target_id,
        "target_name": row.target_name,
        "command": row.command,
        "outcome": row.outcome,
        "reason": row.reason,
    }
