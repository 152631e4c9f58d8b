"""The container list and a container's page, live: the page's websocket receives the rows (or
the state and buttons) that changed, re-rendered for its user and its filters by the page's own
partials, as the engine's events come.

Every push goes through the gatekeeper's rules: a row the user may not see is never sent, and an
event about it sends nothing at all. Events are gathered for a moment, so a burst of changes costs
one engine call and one frame.
"""

import asyncio
import json
import re
from typing import Any
from urllib.parse import parse_qsl

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from containers import list_page
from dashboard import engine, engine_events
from dashboard.access import access_container, visible_containers
from dashboard.engine import EngineError
from dashboard.engine_scope import engine_scope
from dashboard.grants import forget_grants, grants_for
from dashboard.overview import container_counts
from dashboard.sessions import user_group

GATHER_SECONDS = 0.1
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


class LiveContainersConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        query = dict(parse_qsl(self.scope.get("query_string", b"").decode()))
        self.params = {key: query[key] for key in FILTER_KEYS if key in query}
        # A container's page follows that container alone; the list and the overview, all.
        self.container = (
            query.get("container") if CONTAINER_ID.match(query.get("container", "")) else None
        )
        self.overview = query.get("page") == "overview"
        languages = dict(settings.LANGUAGES)
        self.language = query.get("lang") if query.get("lang") in languages else None
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        self.engine_name = engine.current_name()
        events = engine_events.reader(self.engine_name)
        self.unsubscribe = events.subscribe(
            lambda event: loop.call_soon_threadsafe(self.events.put_nowait, event)
        )
        self.group = user_group(self.scope["user"].pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.pump = asyncio.create_task(self._pump())

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "pump"):
            self.unsubscribe()
            self.pump.cancel()
            await asyncio.gather(self.pump, return_exceptions=True)
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def user_signed_out(self, event: dict[str, Any]) -> None:
        """The user logged out somewhere, or was deactivated: their live pages stop too."""
        self.unsubscribe()
        await self.close()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """The page's filters changed (a search typed): later pushes follow them."""
        try:
            message = json.loads(text_data or "") if len(text_data or "") <= MAX_MESSAGE else None
            filters = {k: str(v) for k, v in message.items() if k in FILTER_KEYS}
        except (ValueError, AttributeError):
            return
        self.params = filters

    async def _pump(self) -> None:
        while True:
            batch = [await self.events.get()]
            await asyncio.sleep(GATHER_SECONDS)
            while not self.events.empty():
                batch.append(self.events.get_nowait())
            html = await self._render(batch)
            if html:
                await self.send(text_data=html)

    @database_sync_to_async
    def _render(self, batch: list[dict[str, Any]]) -> str:
        # Links in what is pushed stay on this page's engine, as the page's own did.
        with engine_scope(self.engine_name), translation.override(self.language):
            return self._render_batch(batch)

    def _render_batch(self, batch: list[dict[str, Any]]) -> str:
        user = self.scope["user"]
        forget_grants(user)  # a role changed since the last push counts at once
        batch = [e for e in batch if e.get("Action") in SHOWN or e.get("Type") == "dockboard"]
        if self.container:
            batch = [e for e in batch if e.get("id") == self.container]
        batch = list_page.visible_events(user, batch) if batch else []
        if not batch:
            return ""
        if self.container:
            return self._render_container(user)
        if self.overview:
            return self._render_overview(user)
        try:
            if any(e.get("Action") in STRUCTURAL or e["Type"] == "dockboard" for e in batch):
                context = list_page.table_context(user, self.params, set())
                return render_to_string("containers/list.html#table", context)
            ids = {event["id"] for event in batch if event.get("id")}
            rows, gone = list_page.changed_rows(user, ids, self.params)
        except EngineError:
            return ""  # the page's own fallback shows the engine's state
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

    def _render_overview(self, user: Any) -> str:
        """The overview's container counts, as its own partial draws them."""
        try:
            counts = container_counts(grants_for(user).admin, lambda: visible_containers(user))
        except EngineError:
            return ""
        return render_to_string("dashboard/overview.html#counts", {"counts": counts})
