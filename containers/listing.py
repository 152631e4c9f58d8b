"""Rows of the container list (`docker ps -a`) from one engine list call: filter, search, sort."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dashboard.notation.names import container_name
from dashboard.policy.ownership import made_elsewhere

STATE_FILTERS = {
    "running": {"running", "restarting"},
    "paused": {"paused"},
    "stopped": {"created", "exited", "dead"},
}
SORT_KEYS = {
    "name": lambda r: r.name.lower(),
    "image": lambda r: r.image.lower(),
    "created": lambda r: r.created,
    "status": lambda r: (r.state, r.status),
}
DEFAULT_SORT = "-created"


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
    changeable: bool = True  # the user may act on it, not only look
    # Made by another Dockboard installation on this engine (its label says so; only an
    # administrator sees such a row, having no record of it).
    other_installation: bool = False

    @property
    def short_id(self) -> str:
        return self.id[:12]

    def matches(self, query: str) -> bool:
        query = query.lower()
        return (
            query in self.name.lower() or self.id.startswith(query) or query in self.image.lower()
        )


def _ports(ports: list[dict[str, Any]]) -> list[str]:
    shown = []
    for p in sorted(ports, key=lambda p: (p.get("PrivatePort", 0), p.get("IP", ""))):
        inside = f"{p['PrivatePort']}/{p['Type']}"
        if "PublicPort" in p:
            shown.append(f"{p.get('IP', '')}:{p['PublicPort']}->{inside}")
        else:
            shown.append(inside)
    return shown


def _row(summary: dict[str, Any], changeable: bool = True) -> ContainerRow:
    return ContainerRow(
        id=summary["Id"],
        name=container_name(summary),
        image=summary.get("Image", ""),
        command=summary.get("Command", ""),
        created=datetime.fromtimestamp(summary.get("Created", 0), tz=UTC),
        state=summary.get("State", ""),
        status=summary.get("Status", ""),
        ports=_ports(summary.get("Ports") or []),
        changeable=changeable,
        other_installation=made_elsewhere(summary),
    )


def normalise_sort(sort: str | None) -> str:
    return sort if sort and sort.lstrip("-") in SORT_KEYS else DEFAULT_SORT


def container_rows(
    summaries: list[dict[str, Any]],
    state: str | None = None,
    query: str = "",
    sort: str = "",
    changeable: Callable[[dict[str, Any]], bool] = lambda summary: True,
) -> list[ContainerRow]:
    wanted = STATE_FILTERS.get(state or "")
    rows = [_row(s, changeable(s)) for s in summaries if wanted is None or s.get("State") in wanted]
    if query:
        rows = [r for r in rows if r.matches(query.strip())]
    sort = normalise_sort(sort)
    return sorted(rows, key=SORT_KEYS[sort.lstrip("-")], reverse=sort.startswith("-"))
