"""The worker's side of a push: the gate again with the requester's rights as they are now, then
the engine's messages into the job's output, drawn as `docker push` draws them (one line a
layer, rewritten as it goes), a few writes a second."""

import contextlib
import logging
import time
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import close_old_connections
from django.utils import timezone

from dashboard.actions import audit
from dashboard.engine import current as engine_current
from dashboard.engine import images as engine_images
from dashboard.engine.errors import EngineError
from dashboard.engine.scope import engine_scope
from dashboard.policy import pushes as push_policy
from dashboard.policy.ownership import Kind
from dashboard.policy.sealed import CheckedPush
from images.job_heartbeat import Heartbeat
from images.models import PushJob
from images.pull_progress import PullFailed, pull_error, short_error

log = logging.getLogger(__name__)
FLUSH_SECONDS = 0.25


class PushOutput:
    """The CLI's lines: a status line as it comes, and one line a layer that its later
    messages rewrite (``abc123: Pushing [==>  ] 1MB/2MB``, then ``abc123: Pushed``)."""

    def __init__(self) -> None:
        self.lines: dict[str, str] = {}
        self.digest = ""

    def apply(self, message: dict[str, Any]) -> None:
        """Fold one message in; an error message raises ``PullFailed`` with its reason."""
        if "error" in message:
            detail = message.get("errorDetail") or {}
            raise PullFailed(short_error(detail.get("message") or message["error"]))
        if digest := (message.get("aux") or {}).get("Digest"):
            self.digest = digest
        status = message.get("status")
        if not status:
            return
        if layer := message.get("id"):
            self.lines[layer] = f"{layer}: {status} {message.get('progress', '')}".rstrip()
        else:
            self.lines[f"{len(self.lines)}"] = status

    @property
    def text(self) -> str:
        return "\n".join(self.lines.values())


def _finish(job: PushJob, state: str, output: PushOutput, error: str = "") -> None:
    fields = {"state": state, "finished_at": timezone.now(), "log": output.text, "error": error}
    if state == PushJob.State.SUCCEEDED:
        fields["digest"] = output.digest
    PushJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)
    audit.record(
        job.requested_by,
        "push-finished",
        target_kind="image",
        target_id=job.image_id,
        target_name=job.reference,
        command=job.command,
        outcome=audit.Outcome.OK if state == PushJob.State.SUCCEEDED else audit.Outcome.ERROR,
        reason=error,
        team_id=audit.team_of(Kind.IMAGE, job.image_id),
    )


def run(job: PushJob) -> None:
    now = timezone.now()
    if not PushJob.objects.filter(pk=job.pk, state=PushJob.State.QUEUED).update(
        state=PushJob.State.RUNNING, started_at=now, heartbeat_at=now
    ):
        return  # cancelled, or taken by another worker
    output, checked = PushOutput(), None
    try:
        checked = push_policy.check_push(job.requested_by or AnonymousUser(), job.reference)
        response, messages = engine_images.push_stream(checked)
    except EngineError as error:
        _finish(job, PushJob.State.FAILED, output, _failure(error.message, checked))
        return
    heartbeat = Heartbeat(PushJob.objects.filter(pk=job.pk), response)
    heartbeat.start()
    try:
        _follow(job, messages, output, heartbeat)
    except PullFailed as failure:
        _finish(job, PushJob.State.FAILED, output, _failure(failure.message, checked))
    except Exception as error:  # the stream broke: cancelled by the user, or the engine went
        if heartbeat.cancelled:
            _finish(job, PushJob.State.CANCELLED, output)
        else:
            log.warning("push of %s broke: %r", job.reference, error)
            _finish(job, PushJob.State.FAILED, output, engine_current.unreachable().message)
    else:
        _finish(job, PushJob.State.SUCCEEDED, output)
    finally:
        heartbeat.stopped.set()
        with contextlib.suppress(Exception):
            response.close()


def _failure(message: str, checked: CheckedPush | None) -> str:
    if checked is None:  # the gate's own refusal
        return message
    login = checked.auth.username if checked.auth else None
    return pull_error(message, checked.reference.domain, login)


def _follow(job: PushJob, messages: Any, output: PushOutput, heartbeat: Heartbeat) -> None:
    last_flush = 0.0
    for message in messages:
        output.apply(message)
        if time.monotonic() - last_flush >= FLUSH_SECONDS:
            PushJob.objects.filter(pk=job.pk).update(log=output.text, heartbeat_at=timezone.now())
            last_flush = time.monotonic()
    if heartbeat.cancelled:
        raise ConnectionAbortedError("cancelled")


def run_by_id(job_id: str) -> None:
    close_old_connections()
    job = PushJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is not None:
        with engine_scope(job.engine):
            run(job)
