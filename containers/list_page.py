"""What the container list shows for one user and one set of filters: the whole table (the page,
a re-list after the engine came back) or only some rows (a live update)."""

import threading
import time
from collections.abc import Mapping
from typing import Any

from containers.listing import STATE_FILTERS, ContainerRow, container_rows, normalise_sort
from dashboard.access.containers import visible_containers_with_rights
from dashboard.access.objects import rights_on
from dashboard.access.roles import Rights, User, grants_for
from dashboard.engine import containers as engine_containers
from dashboard.engine import current as engine
from dashboard.policy.ownership import Kind, owners
from dashboard.web.paging import page_of

SHARED_SECONDS = 0.25  # how long one engine answer serves every live page asking the same
_recent: dict[tuple[str, tuple[str, ...]], tuple[float, list[dict[str, Any]]]] = {}
_recent_lock = threading.Lock()


def filters(params: Mapping[str, str]) -> dict[str, Any]:
    state = params.get("state")
    return {
        "state": state if state in STATE_FILTERS else None,
        "query": params.get("q", ""),
        "sort": normalise_sort(params.get("sort")),
    }


def _rows(
    summaries: list[dict[str, Any]], rights: Mapping[str, Rights], chosen: dict[str, Any]
) -> list[ContainerRow]:
    def changeable(summary: dict[str, Any]) -> bool:
        return rights[summary["Id"]] is Rights.WRITE

    return container_rows(summaries, chosen["state"], chosen["query"], chosen["sort"], changeable)


def table_context(user: User, params: Mapping[str, str], selected: set[str]) -> dict[str, Any]:
    chosen = filters(params)
    rows = _rows(*visible_containers_with_rights(user), chosen)
    return {
        **chosen,
        "rows": rows,
        "page": page_of(rows, params.get("page")),
        "selected": selected,
        "params": params,
    }


def visible_events(user: User, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The engine's events about containers this user may see (by their ownership records: one
    query), and Dockboard's own (re-list after a reconnect)."""
    grants = grants_for(user)
    if grants.admin:
        return events
    known = owners(Kind.CONTAINER, (_actor(event) for event in events))
    return [
        event
        for event in events
        if event.get("Type") == "dockboard"
        or grants.rights(known.get(_actor(event))) is not Rights.NONE
    ]


def _actor(event: dict[str, Any]) -> str:
    return (event.get("Actor") or {}).get("ID") or event.get("id") or ""


def changed_rows(
    user: User, ids: set[str], params: Mapping[str, str], since: float
) -> tuple[list, set[str], dict[str, str]]:
    """The rows of the changed containers as this page shows them, the ids of those it no
    longer shows (they left its filters), and each one's state. Only containers the user may see
    are looked at, as the engine has had them since ``since`` (a ``time.monotonic()``: when
    their last event came)."""
    found = _summaries(tuple(sorted(ids)), since)
    rights = rights_on(user, Kind.CONTAINER, found)
    summaries = [s for s in found if rights[s["Id"]] is not Rights.NONE]
    rows = _rows(summaries, rights, filters(params))
    states = {s["Id"]: s.get("State", "") for s in summaries}
    return rows, set(states) - {row.id for row in rows}, states


# The state each event leaves its container in. The engine sends some events a moment before
# its list shows the change (moby logs `pause` and `die` before it updates the list's view), so
# a page that reads the list at once may be shown the state before.
SETTLES_AS = {
    "pause": "paused", "unpause": "running", "start": "running", "restart": "running",
    "die": "exited", "stop": "exited",
}  # fmt: skip


def unsettled(events: list[dict[str, Any]], states: Mapping[str, str]) -> set[str]:
    """The containers whose state in the engine's answer (``states`` by id) still misses a
    change the events made."""
    expected = {e["id"]: SETTLES_AS[e["Action"]] for e in events if e.get("Action") in SETTLES_AS}
    return {i for i, state in expected.items() if i in states and states[i] != state}


def _summaries(ids: tuple[str, ...], since: float) -> list[dict[str, Any]]:
    """The containers' summaries, asked of the engine once for all the live pages of this process
    that woke on the same events (they ask within a few milliseconds of each other). An answer
    asked for before ``since`` is not shared: it may miss the change those pages woke for."""
    key = (engine.current_name(), ids)
    now = time.monotonic()
    with _recent_lock:
        for stale in [k for k, (at, _found) in _recent.items() if now - at > SHARED_SECONDS]:
            del _recent[stale]
        if key in _recent and _recent[key][0] >= since:
            return _recent[key][1]
    found = engine_containers.list_containers_by_id(list(ids))
    with _recent_lock:
        _recent[key] = (now, found)
    return found
