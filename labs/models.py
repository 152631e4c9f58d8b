from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard.models import Team
from labs.template import LabTemplate, parse


class Lab(models.Model):
    """A lab in the library, known by its slug; its text lives in its versions."""

    slug = models.SlugField(max_length=63, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    def latest(self) -> "LabVersion":
        return self.versions.order_by("-number").first()


class LabVersion(models.Model):
    """One imported text of a lab; a class keeps the version it was opened with."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    source = models.TextField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lab", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "number"], name="one_version_number_a_lab")
        ]

    def __str__(self) -> str:
        return f"{self.lab.slug} v{self.number}"

    @property
    def template(self) -> LabTemplate:
        return parse(self.source)


class LabClass(models.Model):
    """A lab opened for one team, with its parameters and times; its sessions are spread over
    the team's engines (``engine`` is where it was opened, the first choice on a tie)."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        OPEN = "open", _("open")
        ENDED = "ended", _("ended")

    version = models.ForeignKey(LabVersion, on_delete=models.PROTECT, related_name="classes")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    engine = models.CharField(max_length=40, default="local")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    parameters = models.JSONField(default=dict)
    minutes = models.PositiveIntegerField()
    idle_minutes = models.PositiveIntegerField()
    sessions_per_learner = models.PositiveSmallIntegerField(default=1)
    join_code = models.CharField(max_length=32, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    # How many learners are expected: the warm pool keeps a session ready for each who has not
    # started yet (0: none is made ahead).
    learners_expected = models.PositiveIntegerField(default=0)
    images_ready_at = models.DateTimeField(null=True, blank=True)  # pulled on every engine
    opened_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.version} for {self.team}"

    @property
    def template(self) -> LabTemplate:
        return self.version.template

    def is_open(self, now: object = None) -> bool:
        return self.state(now) == self.State.OPEN

    def state(self, now: object = None) -> "LabClass.State":
        """Ended by an instructor or by its end time; scheduled before its start time."""
        now = now or timezone.now()
        if self.ended_at is not None or (self.ends_at is not None and self.ends_at <= now):
            return self.State.ENDED
        if self.starts_at is not None and now < self.starts_at:
            return self.State.SCHEDULED
        return self.State.OPEN


class LabSession(models.Model):
    """One learner's run of a class: their containers, times and check results."""

    class State(models.TextChoices):
        STARTING = "starting", _("starting")
        RUNNING = "running", _("running")
        IDLE = "idle", _("stopped while idle")
        EXPIRED = "expired", _("expired")
        ENDED = "ended", _("ended")
        FAILED = "failed", _("failed to start")

    ACTIVE = (State.STARTING, State.RUNNING, State.IDLE)

    class Notice(models.TextChoices):
        """What someone else did to the session, told on the learner's open page at once."""

        RESET = (
            "reset",
            _("An instructor reset this session: what you made was removed and made again."),
        )
        EXTENDED = "extended", _("An instructor extended this session.")
        ENDED = "ended", _("An instructor ended this session: its containers are removed.")
        CLASS_ENDED = "class-ended", _("The class has ended: its containers are removed.")

    lab_class = models.ForeignKey(LabClass, on_delete=models.CASCADE, related_name="sessions")
    # None: a session of the class's warm pool, made ahead for the next learner (``labs.pool``).
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.CASCADE,
        related_name="lab_sessions",
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.STARTING)
    engine = models.CharField(max_length=40, default="local")  # where its containers run
    progress = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_activity_at = models.DateTimeField(default=timezone.now)
    extended_minutes = models.PositiveIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)
    steps_passed = models.JSONField(default=list)  # indexes of the steps whose checks passed
    last_output = models.TextField(blank=True)
    notice = models.CharField(max_length=16, choices=Notice.choices, blank=True)
    notice_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "expires_at"])]

    def __str__(self) -> str:
        return f"session {self.pk} of {self.learner} in {self.lab_class_id}"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE

    @property
    def is_pooled(self) -> bool:
        """Made ahead, in the class's warm pool, and not claimed yet."""
        return self.learner_id is None

    def current_step_of(self, total: int) -> int:
        """The first of ``total`` steps not passed yet (``total`` once all have passed)."""
        passed = set(self.steps_passed)
        return next((i for i in range(total) if i not in passed), total)

    def seconds_left(self) -> int:
        return max(0, int((self.expires_at - timezone.now()).total_seconds()))

    def idle_deadline(self) -> object:
        return self.last_activity_at + timedelta(minutes=self.lab_class.idle_minutes)


class CheckResult(models.Model):
    """One press of Check on one step, as the learner saw it."""

    session = models.ForeignKey(LabSession, on_delete=models.CASCADE, related_name="checks")
    step = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    output = models.TextField(blank=True)
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"step {self.step} of session {self.session_id}: {self.passed}"
