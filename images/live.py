"""The image list and a pull's page, live.

The list's websocket receives its listing again when the engine's image events change what this
user's page shows (a user who sees no image, or whose filter hides the change, receives nothing).
A pull's page receives its progress each time the job changes, from the worker's own messages or
this process's shared reader (``pull_feed``)."""

from typing import Any

from django.template.loader import render_to_string

from dashboard.access.images import visible_images
from dashboard.access.roles import forget_grants
from dashboard.engine.errors import EngineError
from dashboard.live.socket import EngineEventsConsumer, LivePageConsumer
from images import pull_feed, pulls
from images.access import access_pull_job
from images.listing import list_context
from images.models import PullJob

FILTER_KEYS = ("q", "dangling", "sort", "page")


class LiveImagesConsumer(EngineEventsConsumer):
    async def start(self) -> bool:
        self.params = {key: self.query[key] for key in FILTER_KEYS if key in self.query}
        # What the page shows: a page that names when it asked the engine (?since=) may miss a
        # change made since, which the first event's listing then brings whatever it holds.
        self.shown = None if "since" in self.query else await self.on_page(self._listing)
        return await super().start()

    def render_batch(self, batch: list[dict[str, Any]]) -> str:
        if not any(event.get("Type") in {"image", "dockboard"} for event in batch):
            return ""
        forget_grants(self.scope["user"])  # a role changed since the last push counts at once
        listing = self._listing()
        if listing in {"", self.shown}:
            return ""
        self.shown = listing
        return listing

    def _listing(self) -> str:
        try:
            images = visible_images(self.scope["user"])
        except EngineError:
            return ""  # the page's own fallback shows the engine's state
        listing = render_to_string("images/list.html#listing", list_context(images, self.params))
        return listing.strip()


class PullProgressConsumer(LivePageConsumer):
    async def connect(self) -> None:
        await super().connect()
        if getattr(self, "joined", False):  # what changed since the page was drawn
            await self.send(text_data=await self.on_page(_progress, self.job))

    async def start(self) -> bool:
        self.job_id = str(self.scope["url_route"]["kwargs"]["job_id"])
        self.job = await self.on_page(self._visible_job)
        if self.job is None:
            return False
        self.feed = pull_feed.group(self.job_id)
        await self.channel_layer.group_add(self.feed, self.channel_name)
        pull_feed.watch(self.job_id)
        return True

    async def stop(self) -> None:
        pull_feed.unwatch(self.job_id)
        await self.channel_layer.group_discard(self.feed, self.channel_name)

    async def pull_changed(self, event: dict[str, Any]) -> None:
        await self.send(text_data=await self.on_page(_progress, pull_feed.job_from(event)))

    def _visible_job(self) -> PullJob | None:
        try:
            return access_pull_job(self.scope["user"], self.job_id)
        except EngineError:
            return None


def _progress(job: PullJob) -> str:
    context = {"job": job, "command": pulls.pull_command(job), "live": True}
    return render_to_string("images/pull_job.html#progress", context)
