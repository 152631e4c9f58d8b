"""The container list and a container's page, live: the page's websocket receives the rows (or
the state and buttons) that changed, re-rendered for its user and its filters by the page's own
partials, as the engine's events come.

Every push goes through the gatekeeper's rules: a row the user may not see is never sent, and an
event about it sends nothing at all. Events are gathered for a moment, so a burst of changes costs
one engine call and one frame.
"""

import json
import re
from typing import Any

from django.template.loader import render_to_string

from containers import list_page
from dashboard.access.containers import access_container, visible_containers
from dashboard.access.roles import forget_grants, grants_for
from dashboard.engine import events as engine_events
from dashboard.engine.errors import EngineError
from dashboard.live.socket import EngineEventsConsumer
from dashboard.web.overview import container_counts

STRUCTURAL = {"create", "destroy", "rename"}  # the rows, their number or order change
# What changes a row; exec, attach, resize, copy and the like do not.
SHOWN = STRUCTURAL | {
    "start",
    "restart",
    "stop",
    "die",
    "kill",
    "pause",
    "unpause",
    "update",
    "oom",
}
FILTER_KEYS = ("state", "q", "sort")
CONTAINER_ID = re.compile(r"^[0-9a-f]{64}$")
MAX_MESSAGE = 4096


class LiveContainersConsumer(EngineEventsConsumer):
    async def start(self) -> bool:
        self.params = {key: self.query[key] for key in FILTER_KEYS if key in self.query}
        # A container's page follows that container alone; the list and the overview, all.
        wanted = self.query.get("container", "")
        self.container = wanted if CONTAINER_ID.match(wanted) else None
        self.overview = self.query.get("page") == "overview"
        return await super().start()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """The page's filters changed (a search typed): later pushes follow them."""
        try:
            message = json.loads(text_data or "") if len(text_data or "") <= MAX_MESSAGE else None
            filters = {k: str(v) for k, v in message.items() if k in FILTER_KEYS}
        except (ValueError, AttributeError):
            return
        self.params = filters

    def render_batch(self, batch: list[dict[str, Any]]) -> str:
        user = self.scope["user"]
        forget_grants(user)  # a role changed since the last push counts at once
        batch = [
            e
            for e in batch
            if (e.get("Type") == "container" and e.get("Action") in SHOWN)
            or e.get("Type") == "dockboard"
        ]
        if self.container:  # its own events, and a re-list after the engine came back
            batch = [e for e in batch if e.get("id") == self.container or e["Type"] == "dockboard"]
        batch = list_page.visible_events(user, batch) if batch else []
        if not batch:
            return ""
        if self.container:
            return self._render_container(user)
        if self.overview:
            return self._render_overview(user, batch)
        try:
            if any(e.get("Action") in STRUCTURAL or e["Type"] == "dockboard" for e in batch):
                context = list_page.table_context(user, self.params, set())
                return render_to_string("containers/list.html#table", context)
            ids = {event["id"] for event in batch if event.get("id")}
            since = max(event.get(engine_events.RECEIVED, 0.0) for event in batch)
            rows, gone, states = list_page.changed_rows(user, ids, self.params, since)
        except EngineError:
            return ""  # the page's own fallback shows the engine's state
        late = list_page.unsettled(batch, states)
        if late and self.again([event for event in batch if event.get("id") in late]):
            # Those rows are asked for again in a moment; the others go now.
            rows = [row for row in rows if row.id not in late]
            gone -= late
        if not rows and not gone:
            return ""
        shown = render_to_string("containers/list.html#rows", {"page": rows}).strip()
        removed = "".join(f'<tr id="row-{i}" hx-swap-oob="delete"></tr>' for i in gone)
        return shown + removed

    def _render_container(self, user: Any) -> str:
        """The container page's state badge and action buttons, as its own partials draw them."""
        try:
            container = access_container(user, self.container)
        except EngineError:
            return ""  # removed: the page keeps what it showed
        context = {"c": container}
        return render_to_string("containers/detail.html#state", context) + render_to_string(
            "containers/detail.html#actions", context
        )

    def _render_overview(self, user: Any, batch: list[dict[str, Any]]) -> str:
        """The overview's container counts, as its own partial draws them."""
        seen: list[dict[str, Any]] = []
        try:
            counts = container_counts(
                grants_for(user).admin, lambda: seen.extend(visible_containers(user)) or seen
            )
        except EngineError:
            return ""
        states = {summary["Id"]: summary.get("State", "") for summary in seen}
        if list_page.unsettled(batch, states) and self.again(batch):
            return ""
        return render_to_string("dashboard/overview.html#counts", {"counts": counts})
