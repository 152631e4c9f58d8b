import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MIB = 1024**2
GIB = 1024**3


class SetupToken(models.Model):
    """A one-time link that creates the first administrator; only its SHA-256 is stored."""

    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"setup token {self.digest[:8]}…"


class Team(models.Model):
    """People who share containers, with the policy and quotas that bind its members."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    allowed_images = models.TextField(
        _("allowed images"),
        blank=True,
        help_text=_("One pattern a line, e.g. 127.0.0.1:5000/acc/*; empty allows nothing."),
    )
    max_memory = models.BigIntegerField(_("memory per container (bytes)"), default=512 * MIB)
    max_cpus = models.DecimalField(
        _("CPUs per container"), max_digits=6, decimal_places=2, default=Decimal(1)
    )
    # What a container requests unless it asks (`--memory-reservation`, `--cpu-shares`): the
    # quotas and placement count requests; the limits above stay each container's ceiling.
    memory_request = models.BigIntegerField(
        _("memory a container requests (bytes)"), default=64 * MIB
    )
    cpu_request = models.DecimalField(
        _("CPUs a container requests"), max_digits=6, decimal_places=2, default=Decimal("0.1")
    )
    pids_limit = models.PositiveIntegerField(_("processes per container"), default=256)
    port_range_start = models.PositiveIntegerField(_("first host port"), null=True, blank=True)
    port_range_end = models.PositiveIntegerField(_("last host port"), null=True, blank=True)
    log_max_size = models.CharField(_("log file size"), max_length=16, default="10m")
    log_max_files = models.PositiveSmallIntegerField(_("log files kept"), default=3)
    member_containers = models.PositiveIntegerField(_("containers per member"), default=5)
    member_memory = models.BigIntegerField(_("memory per member (bytes)"), default=2 * GIB)
    member_cpus = models.DecimalField(
        _("CPUs per member"), max_digits=6, decimal_places=2, default=Decimal(2)
    )
    member_volumes = models.PositiveIntegerField(
        _("volumes per member"),
        default=10,
        help_text=_("Named volumes, a learner's lab workspace among them."),
    )
    team_containers = models.PositiveIntegerField(_("containers in the team"), default=50)
    team_memory = models.BigIntegerField(_("memory in the team (bytes)"), default=16 * GIB)
    team_cpus = models.DecimalField(
        _("CPUs in the team"), max_digits=6, decimal_places=2, default=Decimal(8)
    )
    team_volumes = models.PositiveIntegerField(_("volumes in the team"), default=100)
    build_minutes = models.PositiveIntegerField(
        _("minutes a build may take"), default=10, validators=[MinValueValidator(1)]
    )
    build_size = models.BigIntegerField(_("size of a built image (bytes)"), default=GIB)
    engines = models.TextField(
        _("engines"), default="local", help_text=_("The engines its members use, one a line.")
    )

    class Recording(models.TextChoices):
        OFF = "off", _("off")
        LABS = "labs", _("lab sessions' terminals")
        ALL = "all", _("every terminal")

    recording = models.CharField(
        _("terminal recording"), max_length=8, choices=Recording.choices, default=Recording.LABS
    )
    record_input = models.BooleanField(
        _("record what is typed too"),
        default=False,
        help_text=_("Typed input can hold passwords: administrators only turn this on."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def image_patterns(self) -> list[str]:
        return [line.strip() for line in self.allowed_images.splitlines() if line.strip()]

    @property
    def engine_names(self) -> list[str]:
        return self.engines.split()

    @property
    def publishes_ports(self) -> bool:
        return self.port_range_start is not None and self.port_range_end is not None


class Membership(models.Model):
    """One user's role in one team."""

    class Role(models.TextChoices):
        INSTRUCTOR = "instructor", _("instructor")
        MEMBER = "member", _("member")
        VIEWER = "viewer", _("viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    # They were handed objects made for the team (a class's warm session they claimed), whose
    # owner label, written before and unchangeable, is not theirs: their lists read the team's.
    handed_over = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_role_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"


class AuditEvent(models.Model):
    """One state change made through Dockboard, or refused by its policy."""

    class Outcome(models.TextChoices):
        OK = "ok", _("ok")
        REFUSED = "refused", _("refused by policy")
        ERROR = "error", _("engine error")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32, db_index=True)
    target_kind = models.CharField(max_length=16, blank=True)
    target_id = models.CharField(max_length=128, blank=True)
    target_name = models.CharField(max_length=255, blank=True)
    command = models.TextField(blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.OK)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"


class RegistryLogin(models.Model):
    """A team's login to a registry, on one engine or every engine of the team: its pulls use
    it. The password is kept encrypted (``dashboard.ops.vault``) and never shown again."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="registry_logins")
    registry = models.CharField(_("registry"), max_length=255)  # as references name it
    engine = models.CharField(_("engine"), max_length=64, blank=True)  # "": every engine
    username = models.CharField(_("user name"), max_length=255)
    secret = models.TextField()  # the password, encrypted
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True)
    last_used_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "registry", "engine"], name="one_login_a_registry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.registry}"


class Installation(models.Model):
    """This installation of Dockboard: one row, made by the first migrate. Its id is written on
    what it creates (``dockboard.installation``), so that installations sharing an engine tell
    their objects apart; what an object belongs to is the ``OwnershipRecord``."""

    uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.uuid)


class OwnershipRecord(models.Model):
    """Who an engine object made through Dockboard belongs to: the source of truth for rights,
    reaping, placement and quotas (an engine label can be written by anyone who builds an image
    or runs the CLI). Containers in a team are the quota ledger too, with the limits they hold.

    The engine stays the truth about what exists: an object removed behind Dockboard's back keeps
    its record until a reconcile (before any quota refusal, and hourly) drops it."""

    class Kind(models.TextChoices):
        CONTAINER = "container"
        VOLUME = "volume"
        NETWORK = "network"
        SERVICE = "service"
        IMAGE = "image"

    engine = models.CharField(max_length=40, default="local")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CONTAINER)
    object_id = models.CharField(max_length=255)  # a volume's name, the others' ids
    team = models.ForeignKey(Team, null=True, on_delete=models.CASCADE, related_name="+")
    owner_id = models.BigIntegerField(null=True, db_index=True)
    lab_session = models.CharField(max_length=20, blank=True)
    memory = models.BigIntegerField(default=0)
    nano_cpus = models.BigIntegerField(default=0)
    # A volume is known by its name alone: the mark Dockboard wrote on it (``dockboard.volume``).
    # One removed and made again under that name behind Dockboard's back is not the recorded one.
    mark = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["engine", "kind", "object_id"], name="one_record_an_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id[:12]} on {self.engine} of {self.owner_id}"


class Engine(models.Model):
    """A Docker Engine besides the local one (``DOCKER_HOST``, always named ``local``)."""

    name = models.SlugField(_("name"), max_length=40, unique=True)
    address = models.CharField(_("address"), max_length=255)
    tls = models.BooleanField(default=False)  # client certificate in the data dir's engines/NAME/
    # Placement lets its running containers request up to its memory times this (none: the
    # installation's DOCKBOARD_OVERCOMMIT); above 1 when containers use far less than asked.
    overcommit = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TerminalRecording(models.Model):
    """One recorded terminal (asciicast v2 in the data directory's recordings/)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    engine = models.CharField(max_length=40, default="local")
    container_id = models.CharField(max_length=64)
    container_name = models.CharField(max_length=255)
    owner_id = models.BigIntegerField(null=True)  # the container's owner, who may replay it
    lab_session = models.CharField(max_length=20, blank=True)  # its lab session, if any
    mode = models.CharField(max_length=8)  # attach, exec or watch
    input_recorded = models.BooleanField(default=False)
    path = models.CharField(max_length=255)  # under the data directory
    size = models.BigIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.mode} of {self.container_name} at {self.started_at:%Y-%m-%d %H:%M}"


class TerminalPreference(models.Model):
    """How a user's browser terminals behave, saved for them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="terminal_preference"
    )
    screen_reader = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"terminal preferences of {self.user}"
