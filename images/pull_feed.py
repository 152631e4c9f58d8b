"""A pull job's progress as it changes, to every page watching it, in whatever process.

Whoever writes a job (the worker, mostly) publishes it to the channel-layer group ``pull-<id>``.
With Redis that reaches every web process, and no page reads the database again. The embedded
in-process layer does not cross processes: there each web process reads a watched job at most
once per ``READ_SECONDS`` (one reader per job and process, however many tabs watch it) and
publishes what changed to its own pages.
"""

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core import serializers
from django.db import DatabaseError
from django.utils import timezone

from images.models import PullJob

log = logging.getLogger(__name__)
CHANGED = "pull.changed"  # the consumers' handler: ``pull_changed``
READ_SECONDS = 0.5
# Across processes the worker's messages carry the progress; a read now and then only finds a
# worker that died (its job's heartbeat stopped).
STALE_CHECK_SECONDS = 5.0
SHOWN = (
    "engine", "reference", "platform", "state", "layers", "bytes_done", "bytes_total",
    "image_id", "digest", "error", "started_at", "finished_at", "follow_up", "next_url",
    "follow_up_error",
)  # fmt: skip


def group(job_id: object) -> str:
    return f"pull-{job_id}"


def message(job: PullJob) -> dict[str, str]:
    return {"type": CHANGED, "job": serializers.serialize("json", [job], fields=SHOWN)}


def job_from(event: dict[str, Any]) -> PullJob:
    """The job as it was published (no database read)."""
    return next(serializers.deserialize("json", event["job"])).object


def publish(job: PullJob) -> None:
    """Tell the pages watching ``job`` how it is now. A channel layer that is down costs the
    pages their live view (they poll meanwhile), never the pull."""
    try:
        async_to_sync(get_channel_layer().group_send)(group(job.pk), message(job))
    except Exception as error:
        log.warning("pull %s: progress not published (%r)", job.pk, error)


def reaches_other_processes() -> bool:
    return not isinstance(get_channel_layer(), InMemoryChannelLayer)


class JobReader:
    """The reads of one watched job in one process, shared by its pages."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.pages = 0
        self.task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        interval = STALE_CHECK_SECONDS if reaches_other_processes() else READ_SECONDS
        last = None
        while True:
            await asyncio.sleep(interval)
            try:
                job, changed = await database_sync_to_async(_read)(self.job_id)
            except DatabaseError as error:  # busy or restarting: read again next time
                log.warning("pull %s: not read (%s)", self.job_id, error)
                continue
            if job is None:
                return
            shown = message(job)
            if changed or shown != last:
                last = shown
                await get_channel_layer().group_send(group(self.job_id), shown)
            if not job.is_active:
                return  # nothing more will change


def _read(job_id: str) -> tuple[PullJob | None, bool]:
    """The job, and whether it was just found interrupted (its worker stopped beating)."""
    job = PullJob.objects.filter(pk=job_id).first()
    return job, job is not None and interrupt_if_stale(job)


def interrupt_if_stale(job: PullJob) -> bool:
    """``job`` is interrupted (and its pages told) if its worker stopped beating."""
    if not job.is_stale():
        return False
    interrupted = {"state": PullJob.State.INTERRUPTED, "finished_at": timezone.now()}
    last_beat = job.heartbeat_at
    if not PullJob.objects.filter(pk=job.pk, heartbeat_at=last_beat, state=job.state).update(
        **interrupted
    ):
        return False  # it beat meanwhile, or ended
    for field, value in interrupted.items():
        setattr(job, field, value)
    publish(job)
    return True


_readers: dict[tuple[asyncio.AbstractEventLoop, str], JobReader] = {}


def watch(job_id: str) -> None:
    """A page of this process watches ``job_id`` (in the event loop's thread)."""
    key = (asyncio.get_running_loop(), job_id)
    reader = _readers.setdefault(key, JobReader(job_id))
    reader.pages += 1
    if reader.task is None or reader.task.done():
        reader.task = asyncio.create_task(reader._run())


def unwatch(job_id: str) -> None:
    key = (asyncio.get_running_loop(), job_id)
    reader = _readers.get(key)
    if reader is None:
        return
    reader.pages -= 1
    if reader.pages <= 0:
        del _readers[key]
        if reader.task is not None:
            reader.task.cancel()
