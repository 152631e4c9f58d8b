"""Recreate a container with the image its reference names now (after a pull brought an
update): the same name and the settings the create form has, made again through the policy gate.

As `docker compose up` does for a changed image: the old container is stopped and renamed aside,
the new one is created (and started if the old one ran), and only then is the old one removed.
If the gate or the engine refuses the new one, the old one gets its name back and runs again:
nothing the user had is lost. Named volumes are the same volumes; what the old container's own
layer held is not carried over (`docker diff` shows it first).

What the gate writes into every member's container (dropped capabilities, no-new-privileges,
the process limit, the log options) is not read back as asked for: the gate writes it again."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from containers import create as creating
from containers.spec import ContainerSpec, MountSpec, PortSpec, SpecError
from dashboard.access.containers import access_owned_container
from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.engine import containers as engine_containers
from dashboard.engine import images as engine_images
from dashboard.engine.errors import Denied, EngineError
from dashboard.notation.units import format_cpus
from dashboard.policy.containers import DEFAULT_CAPABILITIES

GATE_WRITES = {  # HostConfig values the gate sets on every member's container
    "CapDrop": [["ALL"]],
    "CapAdd": [sorted(DEFAULT_CAPABILITIES)],
    "SecurityOpt": [["no-new-privileges"], ["no-new-privileges:true"]],
}


@dataclass(frozen=True)
class Plan:
    container: dict[str, Any]
    spec: ContainerSpec
    team_id: int | None
    running: bool
    newer: bool  # the reference names another image than the container's

    @property
    def aside(self) -> str:
        return f"{self.spec.name}-replaced-{self.container['Id'][:12]}"

    @property
    def command_lines(self) -> list[str]:
        """The same with the CLI, as the preview shows it."""
        stop = [f"docker stop {self.spec.name}"] if self.running else []
        return [*stop, f"docker rename {self.spec.name} {self.aside}",
                self.spec.command_line(self.running), f"docker rm {self.aside}"]  # fmt: skip


def _cli_size(size: int) -> str:
    for unit, factor in (("g", 1024**3), ("m", 1024**2), ("k", 1024)):
        if size % factor == 0:
            return f"{size // factor}{unit}"
    return str(size)


def _unless_same(value: Any, image_value: Any) -> Any:
    return value if value != image_value else None


def spec_of(container: dict[str, Any], image: dict[str, Any]) -> ContainerSpec:
    """What `docker run` would be given to make ``container`` again from ``image``: its own
    settings, not those its image gives anyway."""
    config, host = container["Config"], container["HostConfig"]
    image_config = image.get("Config") or {}
    image_env = set(image_config.get("Env") or [])
    image_labels = image_config.get("Labels") or {}
    restart = host.get("RestartPolicy") or {}
    policy = restart.get("Name") or "no"
    if restart.get("MaximumRetryCount"):
        policy += f":{restart['MaximumRetryCount']}"
    memory, reservation = host.get("Memory") or 0, host.get("MemoryReservation") or 0
    network = host.get("NetworkMode") or ""

    def own(key: str) -> list[str]:
        value = host.get(key) or []
        return [] if sorted(value) in GATE_WRITES.get(key, []) else list(value)

    return ContainerSpec(
        image=config["Image"],
        name=container["Name"].lstrip("/"),
        command=_unless_same(config.get("Cmd"), image_config.get("Cmd")) or [],
        entrypoint=_unless_same(config.get("Entrypoint"), image_config.get("Entrypoint")),
        interactive=bool(config.get("OpenStdin")),
        tty=bool(config.get("Tty")),
        env=[line for line in config.get("Env") or [] if line not in image_env],
        ports=[
            PortSpec(
                int(key.split("/")[0]),
                key.split("/")[1],
                b.get("HostIp", ""),
                b.get("HostPort", ""),
            )
            for key, bindings in (host.get("PortBindings") or {}).items()
            for b in bindings or [{}]
        ],
        mounts=[
            MountSpec(
                m["Name"] if m["Type"] == "volume" else m["Source"],
                m["Destination"],
                not m.get("RW", True),
            )
            for m in container.get("Mounts") or []
            if m["Type"] in ("volume", "bind")
        ],
        workdir=_unless_same(config.get("WorkingDir"), image_config.get("WorkingDir")) or "",
        user=_unless_same(config.get("User"), image_config.get("User")) or "",
        hostname="" if config.get("Hostname") == container["Id"][:12] else config["Hostname"],
        restart=policy,
        memory=memory,
        memory_text=_cli_size(memory) if memory else "",
        memory_request=reservation,
        memory_request_text=_cli_size(reservation) if reservation else "",
        cpus=format_cpus(host["NanoCpus"]) if host.get("NanoCpus") else "",
        labels={
            key: value
            for key, value in (config.get("Labels") or {}).items()
            if not key.startswith("dockboard.") and image_labels.get(key) != value
        },
        network="" if network in ("default", "bridge") else network,
        privileged=bool(host.get("Privileged")),
        cap_add=own("CapAdd"),
        cap_drop=own("CapDrop"),
        devices=[f"{d['PathOnHost']}:{d['PathInContainer']}" for d in host.get("Devices") or []],
        sysctls=dict(host.get("Sysctls") or {}),
        security_opt=own("SecurityOpt"),
    )


def newer_image(container: dict[str, Any]) -> bool:
    """Whether the container's image reference names another image now (a pull brought an
    update); False when the reference names nothing here."""
    try:
        return engine_images.inspect_image(container["Config"]["Image"])["Id"] != container["Image"]
    except EngineError:
        return False


def plan(user: User, ref: str) -> Plan:
    """What recreating ``ref`` would do; ``Denied`` unless the user owns it (the new container
    is theirs, as the one they made) and it is no lab's."""
    container, owner, _rights = access_owned_container(user, ref, change=True)
    if owner is not None and owner.lab_session:
        raise Denied(_("A lab's containers are made again by resetting the lab."))
    mine = owner.owner_id == user.pk if owner is not None else user.is_superuser
    if not mine:
        raise Denied(_("Only its owner recreates a container: the new one is theirs."))
    image = engine_images.inspect_image(container["Config"]["Image"])
    return Plan(
        container=container,
        spec=spec_of(container, image),
        team_id=owner.team_id if owner else None,
        running=bool(container["State"].get("Running")),
        newer=image["Id"] != container["Image"],
    )


def recreate(user: User, ref: str) -> str:
    """Recreate the container (``plan``); the new container's id. A refusal (``SpecError``)
    leaves the old container as it was."""
    found = plan(user, ref)
    old_id, name = found.container["Id"], found.spec.name
    if found.running:
        engine_containers.container_action(old_id, "stop")
    engine_containers.rename_container(old_id, found.aside)
    try:
        new_id = creating.create(user, found.spec, team_id=found.team_id, run=found.running)
    except (SpecError, EngineError):
        engine_containers.rename_container(old_id, name)
        if found.running:
            engine_containers.container_action(old_id, "start")
        raise
    engine_containers.remove_container(old_id, force=True, volumes=False)
    audit.record(
        user, "recreate", target_kind="container", target_id=new_id, target_name=name,
        command="\n".join(found.command_lines), team_id=found.team_id,
        reason=_("replaces %(old)s") % {"old": old_id[:12]},
    )  # fmt: skip
    return new_id
