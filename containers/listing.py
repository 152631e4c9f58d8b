"""Rows of the container list (`docker ps -a`) from one engine list call."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

STATE_FILTERS = {
    "running": {"running"},
    "paused": {"paused"},
    "stopped": {"created", "exited", "dead"},
}


@dataclass(frozen=True)
class ContainerRow:
    id: str
    name: str
    image: str
    command: str
    created: datetime
    state: str
    status: str
    ports: list[str]

    @property
    def short_id(self) -> str:
        return self.id[:12]


def _ports(ports: list[dict[str, Any]]) -> list[str]:
    shown = []
    for p in sorted(ports, key=lambda p: (p.get("PrivatePort", 0), p.get("IP", ""))):
        inside = f"{p['PrivatePort']}/{p['Type']}"
        if "PublicPort" in p:
            shown.append(f"{p.get('IP', '')}:{p['PublicPort']}->{inside}")
        else:
            shown.append(inside)
    return shown


def container_rows(summaries: list[dict[str, Any]], state: str | None = None) -> list[ContainerRow]:
    wanted = STATE_FILTERS.get(state or "")
    rows = [
        ContainerRow(
            id=c["Id"],
            name=(c.get("Names") or ["/"])[0].lstrip("/"),
            image=c.get("Image", ""),
            command=c.get("Command", ""),
            created=datetime.fromtimestamp(c.get("Created", 0), tz=UTC),
            state=c.get("State", ""),
            status=c.get("Status", ""),
            ports=_ports(c.get("Ports") or []),
        )
        for c in summaries
        if wanted is None or c.get("State") in wanted
    ]
    return sorted(rows, key=lambda r: r.created, reverse=True)
