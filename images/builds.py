"""Build jobs as users ask for them: checked by the gate, queued for the worker, cancelled."""

import shlex

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.engine import current as engine
from dashboard.notation.units import format_size
from dashboard.ops.housekeeping import housekeeping
from dashboard.policy import builds as build_policy
from dashboard.policy.refusals import PolicyRefusal
from images import build_context
from images.models import BuildJob
from images.tasks import build_image

KEPT_DAYS = 30


def command_line(tag: str, build_args: dict[str, str], target: str, context: str = ".") -> str:
    options = [
        part for key, value in build_args.items() for part in ("--build-arg", f"{key}={value}")
    ]
    if target:
        options += ["--target", target]
    return shlex.join(["docker", "build", "-t", tag, *options, context])


def request_build(
    user: User,
    team_id: int | None,
    tag: str,
    dockerfile: str,
    upload: UploadedFile | File | None,
    build_args: dict[str, str],
    target: str,
    context: str = ".",
) -> BuildJob:
    """A queued build, refused by the gate before anything is queued (audited either way).
    ``context``: where the files came from, for the command line (a Git address)."""
    if upload is not None and upload.size > settings.DOCKBOARD_UPLOAD_MAX_BYTES:
        raise PolicyRefusal(
            "context",
            _("The context is %(size)s, more than the %(most)s an upload may hold.")
            % {
                "size": format_size(upload.size),
                "most": format_size(settings.DOCKBOARD_UPLOAD_MAX_BYTES),
            },
        )
    if upload is not None and not dockerfile.strip():
        dockerfile = build_context.uploaded_dockerfile(upload)
        if not dockerfile:
            raise PolicyRefusal("context", _("The context has no Dockerfile at its top."))
    command = command_line(tag, build_args, target, context)
    target_of = {"target_kind": "image", "target_name": tag, "team_id": team_id}
    with audit.audited(user, "build", command, **target_of):
        checked = build_policy.check_build(user, team_id, dockerfile, tag, build_args, target)
        with transaction.atomic():
            job = BuildJob.objects.create(
                engine=engine.current_name(),
                requested_by=user,
                team_id=team_id,
                tag=checked.tag,
                dockerfile=dockerfile,
                build_args=build_args,
                target=target,
                has_context=upload is not None,
                command=command,
            )
            if upload is not None:
                build_context.write(dockerfile, upload, job.context_path)
            transaction.on_commit(lambda: build_image.enqueue(str(job.pk)))
        target_of["target_id"] = str(job.pk)
    return job


def cancel(job: BuildJob) -> None:
    """A queued build ends now; a running one when its worker sees the request (within a
    second)."""
    if BuildJob.objects.filter(pk=job.pk, state=BuildJob.State.QUEUED).update(
        state=BuildJob.State.CANCELLED, finished_at=timezone.now()
    ):
        job.context_path.unlink(missing_ok=True)
    BuildJob.objects.filter(pk=job.pk, state=BuildJob.State.RUNNING).update(cancel_requested=True)


@receiver(housekeeping, dispatch_uid="images.builds")
def forget_old_builds(sender: object, **kwargs: object) -> int:
    """Finished builds are kept ``KEPT_DAYS`` with their output; the audit log keeps the rest."""
    return BuildJob.forget_older_than(KEPT_DAYS)
