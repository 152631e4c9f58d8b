"""What the container list shows for one user and one set of filters: the whole table (the page,
a re-list after the engine came back) or only some rows (a live update)."""

import threading
import time
from collections.abc import Mapping
from typing import Any

from django.core.paginator import Paginator

from containers.listing import STATE_FILTERS, ContainerRow, container_rows, normalise_sort
from dashboard import engine
from dashboard.access import visible_containers
from dashboard.grants import Rights, User, grants_for

PAGE_SIZE = 100
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
    user: User, summaries: list[dict[str, Any]], chosen: dict[str, Any]
) -> list[ContainerRow]:
    grants = grants_for(user)

    def changeable(summary: dict[str, Any]) -> bool:
        return grants.container_rights(summary.get("Labels")) is Rights.WRITE

    return container_rows(summaries, chosen["state"], chosen["query"], chosen["sort"], changeable)


def table_context(user: User, params: Mapping[str, str], selected: set[str]) -> dict[str, Any]:
    chosen = filters(params)
    rows = _rows(user, visible_containers(user), chosen)
    return {
        **chosen,
        "rows": rows,
        "page": Paginator(rows, PAGE_SIZE).get_page(params.get("page")),
        "selected": selected,
    }


def visible_events(user: User, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The engine's events about containers this user may see (an event carries the container's
    labels), and Dockboard's own (re-list after a reconnect)."""
    grants = grants_for(user)
    return [
        event
        for event in events
        if event.get("Type") == "dockboard"
        or grants.container_rights((event.get("Actor") or {}).get("Attributes")) is not Rights.NONE
    ]


def changed_rows(user: User, ids: set[str], params: Mapping[str, str]) -> tuple[list, set[str]]:
    """The rows of the changed containers as this page shows them, and the ids of those it no
    longer shows (they left its filters). Only containers the user may see are looked at."""
    grants = grants_for(user)
    summaries = [
        summary
        for summary in _summaries(tuple(sorted(ids)))
        if grants.container_rights(summary.get("Labels")) is not Rights.NONE
    ]
    rows = _rows(user, summaries, filters(params))
    return rows, {s["Id"] for s in summaries} - {row.id for row in rows}


def _summaries(ids: tuple[str, ...]) -> list[dict[str, Any]]:
    """The containers' summaries, asked of the engine once for all the live pages of this process
    that woke on the same events (they ask within a few milliseconds of each other)."""
    key = (engine.current_name(), ids)
    now = time.monotonic()
    with _recent_lock:
        for stale in [k for k, (at, _found) in _recent.items() if now - at > SHARED_SECONDS]:
            del _recent[stale]
        if key in _recent:
            return _recent[key][1]
    found = engine.list_containers_by_id(list(ids))
    with _recent_lock:
        _recent[key] = (now, found)
    return found
