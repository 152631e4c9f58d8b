"""The worker's side of a build: the gate again with the requester's rights as they are now,
then the builder's output into the job, a few writes a second. A watchdog thread beats the
heartbeat, and closes the engine's answer (which stops the build) on cancel or at the team's
time limit. The image is the builder's once it is within the team's size limit."""

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from typing import IO

from django.contrib.auth.models import AnonymousUser
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.actions import audit
from dashboard.engine import builds as engine_builds
from dashboard.engine import current as engine_current
from dashboard.engine import images as engine_images
from dashboard.engine.errors import EngineError
from dashboard.engine.scope import engine_scope
from dashboard.notation.units import format_size
from dashboard.policy import builds as build_policy
from dashboard.policy import ownership
from dashboard.policy.sealed import CheckedBuild
from images import build_context
from images.models import HEARTBEAT_SECONDS, BuildJob

log = logging.getLogger(__name__)
FLUSH_SECONDS = 0.25


class _Watchdog(threading.Thread):
    """Beats the heartbeat, writes the output the builder sent before it went quiet (a long
    step), and ends the build on cancel or at the time limit."""

    def __init__(self, job: BuildJob, response: object, seconds: int) -> None:
        super().__init__(name=f"build-watchdog-{job.pk}", daemon=True)
        self.job, self.job_id, self.response = job, job.pk, response
        self.deadline = time.monotonic() + seconds if seconds else None
        self.stopped = threading.Event()
        self.ended_by = ""  # "cancel" or "time"

    def run(self) -> None:
        try:
            while not self.stopped.wait(min(HEARTBEAT_SECONDS, 0.5)):
                jobs = BuildJob.objects.filter(pk=self.job_id)
                jobs.update(heartbeat_at=timezone.now(), log=self.job.log)
                if jobs.filter(cancel_requested=True).exists():
                    self.ended_by = "cancel"
                elif self.deadline is not None and time.monotonic() > self.deadline:
                    self.ended_by = "time"
                if self.ended_by:
                    engine_builds.stop(self.response)  # as Ctrl+C does
                    return
        finally:
            connection.close()


def _finish(job: BuildJob, state: str, **fields: object) -> None:
    fields = {
        "state": state,
        "finished_at": timezone.now(),
        "log": job.log,
        "image_id": job.image_id if state == BuildJob.State.SUCCEEDED else "",
        **fields,
    }
    BuildJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)
    outcome = audit.Outcome.OK if state == BuildJob.State.SUCCEEDED else audit.Outcome.ERROR
    audit.record(
        job.requested_by,
        "build-finished",
        target_kind="image",
        target_id=job.image_id or str(job.pk),
        target_name=job.tag,
        command=job.command,
        outcome=outcome,
        reason=job.error,
        team_id=job.team_id,
    )


def run(job: BuildJob) -> None:
    now = timezone.now()
    if not BuildJob.objects.filter(pk=job.pk, state=BuildJob.State.QUEUED).update(
        state=BuildJob.State.RUNNING, started_at=now, heartbeat_at=now
    ):
        return  # cancelled, or taken by another worker
    watchdog = None
    try:
        checked = build_policy.check_build(
            job.requested_by or AnonymousUser(),
            job.team_id,
            job.dockerfile,
            job.tag,
            job.build_args,
            job.target,
        )
        with _context(job) as context:
            response, messages = engine_builds.build_stream(checked, context)
            watchdog = _Watchdog(job, response, checked.seconds)
            watchdog.start()
            try:
                _follow(job, messages, watchdog)
            finally:
                watchdog.stopped.set()
                with contextlib.suppress(Exception):
                    response.close()
    except Exception as error:  # a step failed, or the stream broke (cancel, time, engine)
        ended_by = watchdog.ended_by if watchdog is not None else ""
        if ended_by == "cancel":
            _finish(job, BuildJob.State.CANCELLED)
        elif ended_by == "time":
            message = _("The build took longer than the %(minutes)d minutes the team allows.")
            _finish(job, BuildJob.State.FAILED, error=message % {"minutes": checked.seconds // 60})
        elif isinstance(error, EngineError):
            _finish(job, BuildJob.State.FAILED, error=error.message)
        else:
            log.warning("build of %s broke: %r", job.tag, error)
            _finish(job, BuildJob.State.FAILED, error=engine_current.unreachable().message)
        return
    finally:
        job.context_path.unlink(missing_ok=True)
    _built(job, checked)


@contextlib.contextmanager
def _context(job: BuildJob) -> Iterator[IO[bytes]]:
    if not job.has_context:
        yield build_context.dockerfile_only(job.dockerfile)
        return
    with job.context_path.open("rb") as context:
        yield context


def _follow(job: BuildJob, messages: object, watchdog: _Watchdog) -> None:
    """The builder's output into the job; ``EngineError`` for a step that failed."""
    last_flush = 0.0
    for message in messages:
        if text := message.get("stream"):
            job.log = (job.log + text)[-BuildJob.LOG_MOST :]
        if image_id := (message.get("aux") or {}).get("ID"):
            job.image_id = image_id
        if error := message.get("error"):
            job.log = (job.log + error + "\n")[-BuildJob.LOG_MOST :]
            raise EngineError(error.strip())
        if time.monotonic() - last_flush >= FLUSH_SECONDS:
            BuildJob.objects.filter(pk=job.pk).update(log=job.log, heartbeat_at=timezone.now())
            last_flush = time.monotonic()
    if watchdog.ended_by:
        raise ConnectionAbortedError(watchdog.ended_by)


def _built(job: BuildJob, checked: CheckedBuild) -> None:
    try:
        image = engine_images.inspect_image(job.image_id or checked.tag)
        job.image_id, size = image["Id"], image["Size"]
        if checked.most_bytes and size > checked.most_bytes:
            engine_images.remove_image(job.image_id, force=True)
            message = _("The image is %(size)s, more than the %(most)s the team allows.")
            most = format_size(checked.most_bytes)
            _finish(
                job,
                BuildJob.State.FAILED,
                error=message % {"size": format_size(size), "most": most},
            )
            return
    except EngineError as error:
        _finish(job, BuildJob.State.FAILED, error=error.message)
        return
    ownership.record(ownership.Kind.IMAGE, job.image_id, checked.owner_id, checked.team_id)
    _finish(job, BuildJob.State.SUCCEEDED)


def run_by_id(job_id: str) -> None:
    close_old_connections()
    job = BuildJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is not None:
        with engine_scope(job.engine):
            run(job)
