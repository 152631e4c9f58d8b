"""What every live page's websocket shares: the page's engine and language, and the user's
group, so that signing out (anywhere, in any process) closes it like a terminal."""

import asyncio
import re
import time
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qsl

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import translation

from dashboard.engine import current as engine
from dashboard.engine import events as engine_events
from dashboard.engine.scope import engine_scope
from dashboard.live.sessions import user_group

ATTEMPT = "dockboard.attempt"  # how many times an event has been rendered
SINCE = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,9})?$", re.ASCII)


def page_since(text: str) -> float:
    """When the page asked the engine for what it shows (its ``?since=``, stamped by
    ``dashboard.middleware.RequestBeganMiddleware``); now, when it names no moment it could have."""
    now = time.time()
    return min(float(text), now) if SINCE.match(text) else now


class LivePageConsumer(AsyncWebsocketConsumer):
    task: asyncio.Task[None] | None = None  # what the page runs while it is open (``keep``)

    async def connect(self) -> None:
        self.query = dict(parse_qsl(self.scope.get("query_string", b"").decode()))
        wanted = self.query.get("lang")
        self.language = wanted if wanted in dict(settings.LANGUAGES) else None
        self.engine_name = engine.current_name()
        self.group = user_group(self.scope["user"].pk)
        if not await self.start():
            await self.close()
            return
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.joined = True
        await self.accept()

    async def start(self) -> bool:
        """The page's own set-up before the handshake is answered; False refuses it."""
        return True

    async def stop(self) -> None:
        """The page's own clean-up, once the socket is closed (its ``keep`` task is cancelled
        after)."""

    def keep(self, work: Coroutine[Any, Any, None]) -> bool:
        """Run ``work`` while the socket is open (from ``start``, which it answers)."""
        self.task = asyncio.create_task(work)
        return True

    async def disconnect(self, code: int) -> None:
        await self._end()
        if getattr(self, "joined", False):
            self.joined = False
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def user_signed_out(self, event: dict[str, Any]) -> None:
        """The user logged out somewhere, or was deactivated: their live pages stop too."""
        await self._end()
        await self.close()

    async def _end(self) -> None:
        if getattr(self, "joined", False) and not getattr(self, "ended", False):
            self.ended = True
            await self.stop()
            if self.task is not None:
                self.task.cancel()
                await asyncio.gather(self.task, return_exceptions=True)

    async def on_page(self, work: Callable[..., Any], *args: Any) -> Any:
        """``work(*args)`` in a worker thread (the ORM's), on the page's engine and language, so
        that links in what it renders stay on that engine, as the page's own did."""

        def scoped() -> Any:
            with engine_scope(self.engine_name), translation.override(self.language):
                return work(*args)

        return await database_sync_to_async(scoped)()


class EngineEventsConsumer(LivePageConsumer):
    """A live page fed by the engine's events (``engine_events``): they are gathered for a
    moment, so that a burst of changes costs one render and one frame."""

    gather_seconds = 0.1
    # Asked again after 0.05 s, then twice as long each time: 3 s in all, for an engine that is
    # slow to show a change under load (the page would otherwise keep the state from before).
    again_seconds = 0.05
    attempts = 7

    async def start(self) -> bool:
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.loop = loop = asyncio.get_running_loop()
        self.unsubscribe = engine_events.reader(self.engine_name).subscribe(
            lambda event: loop.call_soon_threadsafe(self.events.put_nowait, event),
            page_since(self.query.get("since", "")),
        )
        return self.keep(self._pump())

    async def stop(self) -> None:
        self.unsubscribe()

    def render_batch(self, batch: list[dict[str, Any]]) -> str:
        """What the page receives for these events, rendered for its user ("" for nothing)."""
        raise NotImplementedError

    def again(self, batch: list[dict[str, Any]]) -> bool:
        """Render these events once more in a moment (from ``render_batch``, when the engine's
        answer did not show their change yet); False once they have been tried enough."""
        tried = max(event.get(ATTEMPT, 1) for event in batch)
        if tried >= self.attempts:
            return False

        def requeue() -> None:  # as if the events came now: no answer from before is reused
            now = time.monotonic()
            for event in batch:
                self.events.put_nowait({**event, ATTEMPT: tried + 1, engine_events.RECEIVED: now})

        delay = self.again_seconds * 2 ** (tried - 1)
        self.loop.call_soon_threadsafe(self.loop.call_later, delay, requeue)
        return True

    async def _pump(self) -> None:
        while True:
            batch = [await self.events.get()]
            await asyncio.sleep(self.gather_seconds)
            while not self.events.empty():
                batch.append(self.events.get_nowait())
            html = await self.on_page(self.render_batch, batch)
            if html:
                try:
                    await self.send(text_data=html)
                except OSError:  # the page closed meanwhile; its disconnect ends this task
                    return
