import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

HEARTBEAT_SECONDS = 2


def stale_after() -> timedelta:
    """How long a running job's worker may stay silent before the job counts as interrupted."""
    return timedelta(seconds=settings.DOCKBOARD_PULL_STALE_SECONDS)


class WorkerJob(models.Model):
    """What the task worker runs for a user, on one engine: its state, who asked, when it ran,
    and the heartbeat that tells a running job from one whose worker died."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")
        INTERRUPTED = "interrupted", _("interrupted")

    ACTIVE = (State.QUEUED, State.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    engine = models.CharField(max_length=40, default="local")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    image_id = models.CharField(max_length=128, blank=True)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @classmethod
    def forget_older_than(cls, days: int) -> int:
        """Delete the finished jobs made more than ``days`` ago (the audit log keeps who did
        what for its own time); how many rows went."""
        cutoff = timezone.now() - timedelta(days=days)
        return cls.objects.exclude(state__in=cls.ACTIVE).filter(created_at__lt=cutoff).delete()[0]

    def is_stale(self) -> bool:
        """Running, but its worker has not been heard from: it died or was killed."""
        last = self.heartbeat_at or self.started_at or self.created_at
        return self.state == self.State.RUNNING and timezone.now() - last > stale_after()


class PullJob(WorkerJob):
    """One `docker pull`, run by the task worker, with its per-layer progress."""

    reference = models.CharField(max_length=512)
    platform = models.CharField(max_length=64, blank=True)
    layers = models.JSONField(default=dict)
    bytes_done = models.BigIntegerField(default=0)
    bytes_total = models.BigIntegerField(default=0)
    digest = models.CharField(max_length=256, blank=True)
    # What the requester does once the image is here (`docker run` of a missing image): given by
    # the requester, carried out by its receiver of ``pull_succeeded``, whose answer the worker
    # records as ``next_url`` (where the user goes on to) or ``follow_up_error``.
    # ``{"command": …}`` is shown meanwhile.
    follow_up = models.JSONField(null=True, blank=True)
    next_url = models.CharField(max_length=512, blank=True)
    follow_up_error = models.TextField(blank=True)

    class Meta(WorkerJob.Meta):
        indexes = [models.Index(fields=["engine", "reference", "state"])]

    def __str__(self) -> str:
        return f"pull {self.reference} ({self.state})"

    @property
    def is_active(self) -> bool:
        """Still worth watching: pulling, or about to carry out its follow-up."""
        following = self.state == self.State.SUCCEEDED and self.follow_up
        return self.state in self.ACTIVE or bool(
            following and not (self.next_url or self.follow_up_error)
        )

    @property
    def percent(self) -> int:
        return min(100, self.bytes_done * 100 // self.bytes_total) if self.bytes_total else 0

    @property
    def duration(self) -> timedelta | None:
        if self.started_at is None:
            return None
        return (self.finished_at or timezone.now()) - self.started_at

    def seen_now(self) -> "PullJob":
        """The job as a page shows it: a running job whose worker stopped beating shows as
        interrupted, before a worker or a page watching it records that (pages only read)."""
        if self.is_stale():
            self.state = self.State.INTERRUPTED
        return self


class UpdateCheck(models.Model):
    """Which image a tag's registry named when it was last asked (`docker manifest inspect`,
    through the engine): the image list marks the tags whose local image is another one."""

    engine = models.CharField(max_length=64)
    reference = models.CharField(max_length=512)  # repository:tag, as the list shows it
    remote_digest = models.CharField(max_length=100, blank=True)  # "" when it did not answer
    error = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["engine", "reference"], name="one_check_a_tag")
        ]

    def __str__(self) -> str:
        return f"{self.reference} on {self.engine}"


class BuildJob(WorkerJob):
    """One `docker build`, run by the task worker, with the builder's output."""

    LOG_MOST = 512 * 1024  # the output kept: its end, as a terminal's scrollback

    team = models.ForeignKey("dashboard.Team", null=True, on_delete=models.SET_NULL)
    tag = models.CharField(max_length=512)
    dockerfile = models.TextField()
    build_args = models.JSONField(default=dict)
    target = models.CharField(max_length=128, blank=True)
    has_context = models.BooleanField(default=False)  # an uploaded context, in the data dir
    command = models.TextField()
    log = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"build {self.tag} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE and not self.is_stale()

    @property
    def context_path(self) -> Path:
        return Path(settings.DATA_DIR) / "builds" / f"{self.pk}.tar"


class PushJob(WorkerJob):
    """One `docker push`, run by the task worker, with its output as the CLI prints it."""

    reference = models.CharField(max_length=512)  # repository:tag, familiar
    command = models.TextField()
    log = models.TextField(blank=True)
    digest = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"push {self.reference} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE and not self.is_stale()
