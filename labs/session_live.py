"""A session's page, told at once when the session changes under it: an instructor's reset,
extension or end, the class's end, its expiry. The socket only says "changed"; the page then
asks for its status as its every-5-s poll does (``labs/session.html``), so one view draws it.

Each open page reads its session once a second (one query by primary key), so it works the same
with one server process or several, whichever process made the change."""

import asyncio
import logging

from django.db import DatabaseError

from dashboard.engine.errors import EngineError
from dashboard.live.socket import LivePageConsumer
from labs.access import access_session

READ_SECONDS = 1.0
log = logging.getLogger(__name__)


class LiveSessionConsumer(LivePageConsumer):
    async def start(self) -> bool:
        self.session_id = self.scope["url_route"]["kwargs"]["session_id"]
        self.shown = await self.on_page(self._read)
        if self.shown is None:
            return False
        return self.keep(self._watch())

    def _read(self) -> tuple[object, ...] | None:
        """What others change in the session; None once the user may not see it."""
        try:
            session = access_session(self.scope["user"], self.session_id)
        except EngineError:
            return None
        return (session.state, session.expires_at, session.notice_at)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(READ_SECONDS)
            try:
                now = await self.on_page(self._read)
            except DatabaseError as error:  # busy or restarting: the page polls meanwhile
                log.warning("lab session %s: not read (%s)", self.session_id, error)
                continue
            if now is None:
                await self.close()
                return
            if now != self.shown:
                self.shown = now
                await self.send(text_data="changed")
