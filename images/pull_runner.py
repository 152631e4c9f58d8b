"""The worker's side of a pull: stream the engine's progress into the job, a few writes a second.

Database writes are coalesced to one per ``FLUSH_SECONDS`` at most; a ``Heartbeat`` thread keeps
``heartbeat_at`` fresh while the engine is silent and closes the engine stream on cancel.
"""

import contextlib
import logging
import time

from django.contrib.auth.models import AnonymousUser
from django.db import close_old_connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.engine import current as engine_current
from dashboard.engine import images as engine_images
from dashboard.engine.errors import EngineError
from dashboard.engine.scope import engine_scope
from dashboard.interfaces.pulls import FollowedUp, pull_succeeded
from dashboard.notation.reference import ImageReference, parse_reference
from dashboard.ops import metrics
from dashboard.policy import images as image_policy
from dashboard.policy.sealed import CheckedPull
from images import pull_feed
from images.job_heartbeat import Heartbeat
from images.models import PullJob, stale_after
from images.pull_progress import PullFailed, PullProgress, pull_error

log = logging.getLogger(__name__)
FLUSH_SECONDS = 0.25


def _write(job: PullJob, rows: QuerySet[PullJob], **fields: object) -> bool:
    """``fields`` written if ``rows`` still holds the job, and its pages told; whether it did."""
    if not rows.filter(pk=job.pk).update(**fields):
        return False
    for name, value in fields.items():
        setattr(job, name, value)
    pull_feed.publish(job)
    return True


def _finish(job: PullJob, state: str, **fields: object) -> None:
    _write(job, PullJob.objects.all(), state=state, finished_at=timezone.now(), **fields)


def run(job: PullJob) -> None:
    reference = parse_reference(job.reference)
    now = timezone.now()
    queued = PullJob.objects.filter(state=PullJob.State.QUEUED)
    if not _write(job, queued, state=PullJob.State.RUNNING, started_at=now, heartbeat_at=now):
        return  # cancelled, or taken by another worker
    progress = PullProgress()
    checked = None
    try:
        # The gate again, with the requester's rights as they are now.
        checked = image_policy.check_pull(
            job.requested_by or AnonymousUser(), reference, job.platform
        )
        response, messages = engine_images.pull_stream(checked)
    except EngineError as exc:
        _finish(job, PullJob.State.FAILED, error=_failure(exc.message, reference, checked))
        return
    heartbeat = Heartbeat(PullJob.objects.filter(pk=job.pk), response)
    heartbeat.start()
    try:
        _stream(job, messages, progress, heartbeat)
    except PullFailed as exc:
        error = _failure(exc.message, reference, checked)
        _finish(job, PullJob.State.FAILED, error=error, **_progress_fields(progress))
    except Exception as exc:  # the stream broke: cancelled by us, or the engine went away
        if heartbeat.cancelled:
            _finish(job, PullJob.State.CANCELLED, **_progress_fields(progress))
        else:
            log.warning("pull of %s broke: %r", job.reference, exc)
            _finish(job, PullJob.State.FAILED, error=str(engine_current.unreachable().message))
    else:
        _succeed(job, reference, progress)
    finally:
        heartbeat.stopped.set()
        with contextlib.suppress(Exception):
            response.close()


def _failure(message: str, reference: ImageReference, checked: CheckedPull | None) -> str:
    login = checked.auth.username if checked is not None and checked.auth else None
    return pull_error(message, reference.domain, login)


def _progress_fields(progress: PullProgress) -> dict[str, object]:
    return {
        "layers": progress.layers,
        "bytes_done": progress.bytes_done,
        "bytes_total": progress.bytes_total,
    }


def _stream(job: PullJob, messages: object, progress: PullProgress, heartbeat: Heartbeat) -> None:
    last_flush = 0.0
    for message in messages:
        progress.apply(message)
        now = time.monotonic()
        if now - last_flush >= FLUSH_SECONDS:
            not_cancelled = PullJob.objects.filter(cancel_requested=False)
            fields = _progress_fields(progress)
            if not _write(job, not_cancelled, heartbeat_at=timezone.now(), **fields):
                # the user cancelled: stop the engine's pull now
                heartbeat.cancelled = True
                break
            last_flush = now
    if heartbeat.cancelled:
        raise ConnectionAbortedError("cancelled")


def _succeed(job: PullJob, reference: object, progress: PullProgress) -> None:
    try:
        image = engine_images.inspect_image(str(reference))
    except EngineError as exc:
        _finish(job, PullJob.State.FAILED, error=exc.message, **_progress_fields(progress))
        return
    digests = image.get("RepoDigests") or []
    _finish(
        job,
        PullJob.State.SUCCEEDED,
        image_id=image["Id"],
        digest=progress.digest or (digests[0].partition("@")[2] if digests else ""),
        **_progress_fields(progress),
    )
    if job.follow_up:
        _follow_up(job)


def _follow_up(job: PullJob) -> None:
    """The requester's next step (`docker run` after its pull), by whoever it belongs to."""
    sent = pull_succeeded.send(sender=PullJob, user=job.requested_by, follow_up=job.follow_up)
    for _receiver, done in sent:
        if isinstance(done, FollowedUp):
            _write(job, PullJob.objects.all(), next_url=done.next_url, follow_up_error=done.error)
            return
    _write(job, PullJob.objects.all(), follow_up_error=_("Nothing here knows this next step."))


def mark_stale_jobs_interrupted() -> int:
    """Running jobs whose worker stopped beating (killed, crashed) become interrupted, so they
    can be retried instead of looking busy for ever."""
    silent_since = timezone.now() - stale_after()
    return PullJob.objects.filter(
        state=PullJob.State.RUNNING, heartbeat_at__lt=silent_since
    ).update(state=PullJob.State.INTERRUPTED, finished_at=timezone.now())


def run_by_id(job_id: str) -> None:
    close_old_connections()
    mark_stale_jobs_interrupted()  # the worker before this one may have died mid-pull
    job = PullJob.objects.filter(pk=job_id).first()
    if job is not None:
        with engine_scope(job.engine):  # links the follow-up makes point at that engine too
            run(job)
        job.refresh_from_db(fields=["state"])
        metrics.PULLS.labels(job.state).inc()
