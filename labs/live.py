"""A class's roster, live: one reader per class (and language) in each server process renders
the roster once a second, and its instructors' open pages receive it when it changed. However
many tabs watch a class, the database is read once a second for it; a user who may no longer
manage the class (demoted, removed, deactivated) is cut off at the next read."""

import asyncio
import logging

from channels.db import database_sync_to_async
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.utils import translation

from dashboard.engine.errors import EngineError
from dashboard.live.socket import LivePageConsumer
from labs.access import access_class, managers_of
from labs.models import LabClass
from labs.roster import roster_context

READ_SECONDS = 1.0
log = logging.getLogger(__name__)


class LiveRosterConsumer(LivePageConsumer):
    async def start(self) -> bool:
        self.class_id = self.scope["url_route"]["kwargs"]["class_id"]
        if not await self.on_page(self._may_manage):
            return False
        self.feed = RosterFeed.of(self.class_id, self.language)
        self.feed.join(self)
        return True

    async def stop(self) -> None:
        self.feed.leave(self)

    def _may_manage(self) -> bool:
        try:
            access_class(self.scope["user"], self.class_id, manage=True)
        except EngineError:
            return False
        return True


class RosterFeed:
    feeds: dict[tuple[asyncio.AbstractEventLoop, int, str | None], "RosterFeed"] = {}

    def __init__(self, key: tuple[asyncio.AbstractEventLoop, int, str | None]) -> None:
        self.key = key
        self.pages: set[LiveRosterConsumer] = set()
        self.task: asyncio.Task[None] | None = None

    @classmethod
    def of(cls, class_id: int, language: str | None) -> "RosterFeed":
        key = (asyncio.get_running_loop(), class_id, language)
        return cls.feeds.setdefault(key, cls(key))

    def join(self, page: LiveRosterConsumer) -> None:
        self.pages.add(page)
        if self.task is None:
            self.task = asyncio.create_task(self._run())

    def leave(self, page: LiveRosterConsumer) -> None:
        self.pages.discard(page)
        if not self.pages and self.task is not None:
            self.task.cancel()
            del self.feeds[self.key]

    async def _run(self) -> None:
        _loop, class_id, language = self.key
        shown = None
        while True:
            await asyncio.sleep(READ_SECONDS)
            try:
                html, managers = await database_sync_to_async(_read)(class_id, language)
            except DatabaseError as error:  # busy or restarting: the pages keep what they show
                log.warning("roster of class %s: not read (%s)", class_id, error)
                continue
            # A class that is gone (deleted) has no roster left to show: its pages close.
            for page in list(self.pages):
                if page.scope["user"].pk not in managers:
                    await page.close()
                elif html != shown:
                    await page.send(text_data=html)
            shown = html


def _read(class_id: int, language: str | None) -> tuple[str, set[int]]:
    """The roster as the page draws it, and who may see it now."""
    lab_class = LabClass.objects.select_related("version__lab", "team").filter(pk=class_id).first()
    if lab_class is None:
        return "", set()
    with translation.override(language):
        html = render_to_string("labs/roster.html#roster", roster_context(lab_class))
    return html.strip(), managers_of(lab_class)
