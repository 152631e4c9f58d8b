"""Pull jobs as users ask for them: start (or join), cancel, retry, and notice dead workers."""

import shlex
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from dashboard.access import User
from images.models import PullJob, stale_after
from images.reference import ImageReference, parse_reference
from images.tasks import pull_image


def pull_command(job: PullJob) -> str:
    reference = parse_reference(job.reference)
    platform = ["--platform", job.platform] if job.platform else []
    return shlex.join(["docker", "pull", *platform, reference.familiar])


def request_pull(
    user: User, reference: ImageReference, platform: str = "", then_create: dict | None = None
) -> PullJob:
    """A new queued job, or the one already pulling the same reference (joined, not doubled).
    With ``then_create`` (a container form) the job creates the container once pulled."""
    with transaction.atomic():
        running = (
            PullJob.objects.select_for_update()
            .filter(reference=str(reference), platform=platform, state__in=PullJob.ACTIVE)
            .first()
        )
        if running is not None and not running.is_stale() and then_create is None:
            return running
        job = PullJob.objects.create(
            reference=str(reference), platform=platform, requested_by=user, then_create=then_create
        )
        transaction.on_commit(lambda: pull_image.enqueue(str(job.pk)))
    return job


def cancel(job: PullJob) -> None:
    """A queued job ends now; a running one when its worker sees the request (within seconds)."""
    PullJob.objects.filter(pk=job.pk, state=PullJob.State.QUEUED).update(
        state=PullJob.State.CANCELLED, finished_at=timezone.now()
    )
    PullJob.objects.filter(pk=job.pk, state=PullJob.State.RUNNING).update(cancel_requested=True)


def retry(user: User, job: PullJob) -> PullJob:
    return request_pull(user, parse_reference(job.reference), job.platform)


def mark_stale_jobs_interrupted() -> int:
    """Running jobs whose worker stopped beating (killed, crashed) become interrupted, so they
    can be retried instead of looking busy for ever."""
    silent_since = timezone.now() - stale_after()
    return PullJob.objects.filter(
        state=PullJob.State.RUNNING, heartbeat_at__lt=silent_since
    ).update(state=PullJob.State.INTERRUPTED, finished_at=timezone.now())


def prune_finished(older_than: timedelta) -> int:
    cutoff = timezone.now() - older_than
    finished = PullJob.objects.exclude(state__in=PullJob.ACTIVE).filter(created_at__lt=cutoff)
    return finished.delete()[0]
