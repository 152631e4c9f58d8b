"""Push jobs as users ask for them: checked by the gate, queued for the worker, cancelled."""

import shlex

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.engine import current as engine
from dashboard.ops.housekeeping import housekeeping
from dashboard.policy import pushes as push_policy
from dashboard.policy.ownership import Kind
from images.models import PushJob
from images.tasks import push_image

KEPT_DAYS = 30


def request_push(user: User, name: str) -> PushJob:
    """A queued push of ``name`` (repository:tag), refused by the gate before anything is
    queued (audited either way)."""
    command = shlex.join(["docker", "push", name])
    target = {"target_kind": "image", "target_name": name}
    with audit.audited(user, "push", command, **target):
        checked = push_policy.check_push(user, name)
        target["team_id"] = audit.team_of(Kind.IMAGE, checked.image_id)
        with transaction.atomic():
            job = PushJob.objects.create(
                engine=engine.current_name(),
                requested_by=user,
                reference=checked.reference.familiar,
                image_id=checked.image_id,
                command=shlex.join(["docker", "push", checked.reference.familiar]),
            )
            transaction.on_commit(lambda: push_image.enqueue(str(job.pk)))
        target["target_id"] = str(job.pk)
    return job


def cancel(job: PushJob) -> None:
    """A queued push ends now; a running one when its worker sees the request (within two
    seconds), as Ctrl+C ends `docker push`."""
    PushJob.objects.filter(pk=job.pk, state=PushJob.State.QUEUED).update(
        state=PushJob.State.CANCELLED, finished_at=timezone.now()
    )
    PushJob.objects.filter(pk=job.pk, state=PushJob.State.RUNNING).update(cancel_requested=True)


@receiver(housekeeping, dispatch_uid="images.pushes")
def forget_old_pushes(sender: object, **kwargs: object) -> int:
    """Finished pushes are kept ``KEPT_DAYS`` with their output; the audit log keeps the rest."""
    return PushJob.forget_older_than(KEPT_DAYS)
