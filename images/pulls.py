"""Pull jobs as users ask for them: start (or join), cancel, retry, and notice dead workers."""

import shlex
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.engine import current as engine
from dashboard.notation.reference import ImageReference, parse_reference
from dashboard.policy import images as image_policy
from images import pull_feed
from images.models import PullJob
from images.tasks import pull_image


def pull_command(job: PullJob) -> str:
    return command_line(parse_reference(job.reference), job.platform)


def command_line(reference: ImageReference, platform: str) -> str:
    options = ["--platform", platform] if platform else []
    return shlex.join(["docker", "pull", *options, reference.familiar])


def request_pull(
    user: User, reference: ImageReference, platform: str = "", follow_up: dict | None = None
) -> PullJob:
    """A new queued job, or the one already pulling the same reference (joined, not doubled).
    Refused by the policy gate before anything is queued. With ``follow_up``, the requester's
    receiver of ``pull_succeeded`` carries it out once the image is here."""
    image_policy.check_pull(user, reference, platform)
    engine_name = engine.current_name()
    with transaction.atomic():
        running = (
            PullJob.objects.select_for_update()
            .filter(
                engine=engine_name,
                reference=str(reference),
                platform=platform,
                state__in=PullJob.ACTIVE,
            )
            .first()
        )
        if running is not None and not running.is_stale() and follow_up is None:
            return running
        job = PullJob.objects.create(
            engine=engine_name,
            reference=str(reference),
            platform=platform,
            requested_by=user,
            follow_up=follow_up,
        )
        transaction.on_commit(lambda: pull_image.enqueue(str(job.pk)))
    audit.record(
        user,
        "pull",
        target_kind="image",
        target_id=str(job.pk),
        target_name=reference.familiar,
        command=command_line(reference, platform),
    )
    return job


def cancel(job: PullJob) -> None:
    """A queued job ends now; a running one when its worker sees the request (within seconds)."""
    if PullJob.objects.filter(pk=job.pk, state=PullJob.State.QUEUED).update(
        state=PullJob.State.CANCELLED, finished_at=timezone.now()
    ):
        job.refresh_from_db()
        pull_feed.publish(job)
    PullJob.objects.filter(pk=job.pk, state=PullJob.State.RUNNING).update(cancel_requested=True)


def retry(user: User, job: PullJob) -> PullJob:
    return request_pull(user, parse_reference(job.reference), job.platform)


def prune_finished(jobs: QuerySet[PullJob], older_than: timedelta) -> int:
    """Forget the finished ``jobs`` (those the user may see) older than ``older_than``."""
    cutoff = timezone.now() - older_than
    return jobs.exclude(state__in=PullJob.ACTIVE).filter(created_at__lt=cutoff).delete()[0]
