"""Samples of the engines and their running containers, kept at three resolutions: every
collection (``RAW``), then averaged over a minute and over an hour (``stats.rollup``).

Times are whole seconds since the epoch, as charts read them; rates are per second between two
readings. A gap in the rows is a gap in what was known (the collector or the engine was down).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dashboard.models import Team

RAW, MINUTE, HOUR = 0, 60, 3600


class ContainerSample(models.Model):
    engine = models.CharField(max_length=64)
    container_id = models.CharField(max_length=64)
    step = models.PositiveIntegerField()  # RAW, MINUTE or HOUR
    at = models.BigIntegerField()
    cpu = models.FloatField()  # percent, 100 a CPU
    memory = models.BigIntegerField()
    memory_limit = models.BigIntegerField()
    net_rx = models.FloatField()  # bytes a second
    net_tx = models.FloatField()
    block_read = models.FloatField()
    block_write = models.FloatField()
    pids = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["engine", "container_id", "step", "at"])]

    def __str__(self) -> str:
        return f"{self.container_id[:12]} on {self.engine} at {self.at}"


class EngineSample(models.Model):
    engine = models.CharField(max_length=64)
    step = models.PositiveIntegerField()
    at = models.BigIntegerField()
    cpu = models.FloatField()  # its running containers', percent of one CPU
    cpus = models.PositiveIntegerField()
    memory = models.BigIntegerField()  # its running containers'
    memory_total = models.BigIntegerField()
    containers = models.PositiveIntegerField()  # running
    disk = models.BigIntegerField(null=True)  # `docker system df`: images, containers, volumes
    # The file system of the engine's data, when it is on this machine (``data_filesystem``).
    filesystem_used = models.BigIntegerField(null=True)
    filesystem_size = models.BigIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["engine", "step", "at"])]

    def __str__(self) -> str:
        return f"{self.engine} at {self.at}"


class AlertRule(models.Model):
    """What to watch, in a team (its instructors' and administrators') or everywhere
    (administrators'), and whom to tell: e-mail addresses and a webhook signed with HMAC."""

    class Kind(models.TextChoices):
        DIED = "died", _("A container died (exited with an error, not stopped)")
        OOM = "oom", _("A container was killed for want of memory")
        UNHEALTHY = "unhealthy", _("A container became unhealthy")
        RESTARTING = "restarting", _("A container is restart-looping")
        CPU = "cpu", _("A container's CPU stays above a threshold")
        MEMORY = "memory", _("A container's memory stays above a threshold")
        ENGINE_DOWN = "engine_down", _("An engine does not answer")
        DISK = "disk", _("An engine's disk fills above a threshold")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("when"), max_length=16, choices=Kind.choices)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("team"),
    )  # fmt: skip
    threshold = models.PositiveSmallIntegerField(
        _("threshold, percent"),
        default=90,
        help_text=_("CPU: of one CPU; memory: of its limit; disk: of the engine's file system."),
    )
    minutes = models.PositiveSmallIntegerField(
        _("for (minutes)"),
        default=5,
        help_text=_("How long the CPU, memory, engine or disk stays so."),
    )
    emails = models.TextField(_("e-mail addresses"), blank=True, help_text=_("One a line."))
    webhook_url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    webhook_secret = models.CharField(max_length=64, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    """One firing of a rule, for one container (or engine), until it is resolved: a rule fires
    once for a container however often its condition is seen meanwhile."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    engine = models.CharField(max_length=64)
    container_id = models.CharField(max_length=64, blank=True)
    container_name = models.CharField(max_length=255, blank=True)
    owner_id = models.BigIntegerField(null=True)  # the container's, when it fired: they see it
    message = models.TextField()
    fired_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(null=True)
    resolution = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "engine", "container_id"],
                condition=models.Q(resolved_at=None),
                name="one_open_alert",
            )
        ]

    def __str__(self) -> str:
        return self.message


class AlertDelivery(models.Model):
    """A message about an alert (fired or resolved) to one address or webhook, retried with
    backoff until it is delivered or given up."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=8)  # fired or resolved
    channel = models.CharField(max_length=8)  # email or webhook
    target = models.CharField(max_length=500)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    delivered_at = models.DateTimeField(null=True)
    failed_at = models.DateTimeField(null=True)  # given up
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.event} to {self.target}"


class CollectorLease(models.Model):
    """Which process collects: one installation may run `make run` on several hosts against
    one database, and one collector is enough (two would write every reading twice and send
    every alert twice). The holder renews it each pass; another takes it once it expires."""

    name = models.CharField(max_length=32, primary_key=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.holder}"
