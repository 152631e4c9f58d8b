"""Each collector pass, told to this process's live stats pages.

The collector is a process of its own, which the in-process channel layer cannot reach. So one
read of the engine's latest reading (an indexed row) every half second, shared by every stats
page of this process on that engine, sees each pass, on SQLite and PostgreSQL alike; it stops
when the last page closes.
"""

import asyncio
import logging
from collections.abc import Callable

from channels.db import database_sync_to_async
from django.db import DatabaseError

from stats.models import RAW, EngineSample

log = logging.getLogger(__name__)
READ_SECONDS = 0.5


def _latest(engine: str) -> int | None:
    rows = EngineSample.objects.filter(engine=engine, step=RAW).order_by("-at")
    return rows.values_list("at", flat=True).first()


class PassReader:
    def __init__(self, engine: str) -> None:
        self.engine = engine
        self.pages: set[Callable[[], None]] = set()
        self.task: asyncio.Task[None] | None = None

    def subscribe(self, page: Callable[[], None]) -> Callable[[], None]:
        """Have ``page()`` called (in the event loop) after each pass; the unsubscriber."""
        self.pages.add(page)
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.task = loop.create_task(self._run())
        return lambda: self.pages.discard(page)

    async def _run(self) -> None:
        last = await database_sync_to_async(_latest)(self.engine)
        while self.pages:
            await asyncio.sleep(READ_SECONDS)
            try:
                at = await database_sync_to_async(_latest)(self.engine)
            except DatabaseError as error:  # busy or restarting: read again next time
                log.warning("stats of %s: latest pass not read (%s)", self.engine, error)
                continue
            if at != last:
                last = at
                for page in list(self.pages):
                    page()


_readers: dict[str, PassReader] = {}


def reader(engine: str) -> PassReader:
    return _readers.setdefault(engine, PassReader(engine))
