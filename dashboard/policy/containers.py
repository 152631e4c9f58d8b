"""The policy gate for containers: the only way to the engine parameters of a container create
or an exec. The gateway's ``create_container`` and ``create_exec`` take nothing but the
``Checked*`` values made here (``dashboard.policy.sealed``), so no path (a form, a crafted POST,
the worker, a websocket, a lab) reaches the engine around it.

Administrators may ask for anything but Dockboard's own labels. For everyone else the checks
are default-deny: every engine parameter the gate does not know is refused, the ones it knows
are held to the team's policy, and the team's limits and hardening are then written in.
"""

import secrets
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dashboard.access.roles import Grants, Rights, User, grants_for
from dashboard.engine import containers as engine_containers
from dashboard.engine import volumes as engine_volumes
from dashboard.engine import workstation as workstation_image
from dashboard.engine.errors import NotFound
from dashboard.interfaces import session_sockets
from dashboard.models import Team
from dashboard.notation.names import NETWORK_ALIAS, container_name
from dashboard.notation.units import NANO, format_cpus, format_size, nano_cpus
from dashboard.policy import labels, ownership, quotas
from dashboard.policy.creation import owned_labels
from dashboard.policy.images import check_image
from dashboard.policy.ownership import Kind
from dashboard.policy.refusals import PolicyRefusal, check_for_team, limit, locked_team, refuse
from dashboard.policy.seal import SEAL
from dashboard.policy.sealed import CheckedCreate, CheckedExec, CheckedVolume

DEFAULT_CAPABILITIES = (
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "NET_BIND_SERVICE",
)
SAFE_NETWORKS = {"", "default", "bridge", "none"}
CPU_SHARES, MIN_CPU_SHARES = 1024, 2  # the engine's shares for one CPU, and its least
VOLUME_NAME = ownership.OBJECT_NAME
# create_container's own arguments a team's container may use (the rest is refused).
SAFE_ARGUMENTS = {
    "image",
    "name",
    "command",
    "entrypoint",
    "stdin_open",
    "tty",
    "environment",
    "ports",
    "volumes",
    "working_dir",
    "user",
    "hostname",
    "labels",
    "host_config",
    "stop_signal",
    "stop_timeout",
    "detach",
    "networking_config",  # the names the container answers to on its network (checked below)
}
# HostConfig keys, by the form field and `docker run` option a refusal names.
OPTIONS = {
    "Privileged": ("privileged", "--privileged"),
    "CapAdd": ("cap_add", "--cap-add"),
    "CapDrop": ("cap_drop", "--cap-drop"),
    "Devices": ("devices", "--device"),
    "DeviceRequests": ("devices", "--gpus"),
    "Sysctls": ("sysctls", "--sysctl"),
    "SecurityOpt": ("security_opt", "--security-opt"),
    "PidMode": ("pid", "--pid"),
    "IpcMode": ("ipc", "--ipc"),
    "UTSMode": ("uts", "--uts"),
    "UsernsMode": ("userns", "--userns"),
    "VolumeDriver": ("mounts", "--volume-driver"),
    "Mounts": ("mounts", "--mount"),
    "VolumesFrom": ("mounts", "--volumes-from"),
    "Binds": ("mounts", "--volume"),
    "NetworkMode": ("network", "--network"),
    "PortBindings": ("ports", "--publish"),
    "Memory": ("memory", "--memory"),
    "NanoCpus": ("cpus", "--cpus"),
    "MemoryReservation": ("memory_request", "--memory-reservation"),
    "CpuShares": ("cpu_request", "--cpu-shares"),
    "RestartPolicy": ("restart", "--restart"),
}
CHECKED_KEYS = {
    "Binds",
    "NetworkMode",
    "PortBindings",
    "Memory",
    "NanoCpus",
    "MemoryReservation",  # the memory it requests: what quotas and placement count
    "CpuShares",  # the CPUs it requests, 1024 a CPU
    "RestartPolicy",
    "AutoRemove",  # `--rm`: the engine removes the container when it stops
}


def create_container(
    user: User,
    team_id: int | None,
    parameters: dict[str, Any],
    command: str = "",
    *,
    socket_directory: Path | None = None,
    for_team: bool = False,
) -> str:
    """`docker create` through the gate: check the request and, with the team locked (creates in
    one team are serialised, so parallel requests never pass its quota together), create the
    container and enter it in the quota ledger. The new container's id.

    ``for_team``: an instructor makes it for the team, no member's yet (a class's warm pool),
    held by the team's quota until ``dashboard.policy.handover`` gives it to a member.

    A lab session's workstation (``socket_directory``: the session's own Docker socket, made by
    ``dashboard.interfaces.session_sockets``) runs Dockboard's workstation image with that
    directory mounted, the one host path a member's container gets, added after the checks."""
    grants = grants_for(user)
    team = None
    try:
        with transaction.atomic():
            team = locked_team(grants, team_id)
            if for_team:
                check_for_team(grants, team)
            owner_id = None if for_team else user.pk
            workstation = socket_directory is not None
            final = _checked_parameters(grants, team, parameters, workstation, for_team)
            if not grants.admin:
                volumes = _new_volumes(grants, team, final)
                if reason := quotas.refusal(team, owner_id, final["labels"], len(volumes)):
                    raise PolicyRefusal("__all__", reason)
                for name in volumes:
                    owned, mark = ownership.volume_labels(
                        ownership.creation_labels(user.pk, team.pk)
                    )
                    engine_volumes.create_volume(CheckedVolume(name, owned, seal=SEAL))
                    ownership.record(Kind.VOLUME, name, user.pk, team.pk, mark=mark)
            if workstation:
                mount = f"{socket_directory}:{session_sockets.MOUNT_TARGET}"
                binds = final["host_config"].get("Binds") or []
                final["host_config"]["Binds"] = [*binds, mount]
            checked = CheckedCreate(final, owner_id=owner_id, team_id=team and team.pk, seal=SEAL)
            container_id = engine_containers.create_container(checked)
            quotas.admitted(container_id, team, owner_id, final["labels"])
            return container_id
    except PolicyRefusal as refusal:  # audited once the transaction is over
        name = parameters.get("name") or ""
        refuse(
            user,
            "create",
            refusal,
            team,
            target_kind="container",
            target_name=name,
            command=command,
        )


def _checked_parameters(
    grants: Grants,
    team: Team | None,
    parameters: dict,
    workstation: bool = False,
    for_team: bool = False,
) -> dict[str, Any]:
    final = dict(parameters)  # the labels and host config are replaced below, not changed
    if workstation and not workstation_image.is_workstation(final.get("image", "")):
        raise PolicyRefusal("image", _("A workstation runs Dockboard's workstation image."))
    asked = [final.get("labels") or {}]
    final["labels"] = container_labels = owned_labels(
        grants, team, asked, final.get("image", ""), for_team=for_team
    )
    if grants.admin:
        return final
    for argument, value in final.items():
        if argument not in SAFE_ARGUMENTS and value not in (None, False, "", [], {}):
            raise PolicyRefusal("__all__", _("%(option)s is not allowed.") % {"option": argument})
    if not workstation:
        check_image(team, final["image"])
    host_config = dict(final.get("host_config") or {})
    for key, value in host_config.items():
        if key not in CHECKED_KEYS and value not in (None, False, "", [], {}, 0):
            form_field, option = OPTIONS.get(key, ("__all__", key))
            raise PolicyRefusal(
                form_field,
                _("%(option)s is not allowed in team %(team)s.")
                % {"option": option, "team": team.name},
            )
    _check_network(grants, team, host_config.get("NetworkMode") or "")
    _check_aliases(host_config.get("NetworkMode") or "", final.get("networking_config"))
    _check_ports(team, host_config.get("PortBindings") or {})
    memory = limit(host_config.get("Memory") or 0, team.max_memory, "memory", format_size)
    cpus = limit(host_config.get("NanoCpus") or 0, nano_cpus(team.max_cpus), "cpus", format_cpus)
    memory_request, cpu_request = requests(team, host_config, memory, cpus)
    host_config.update(
        Privileged=False,
        CapDrop=["ALL"],
        CapAdd=list(DEFAULT_CAPABILITIES),
        SecurityOpt=["no-new-privileges"],
        PidsLimit=team.pids_limit,
        Memory=memory,
        MemorySwap=memory,
        NanoCpus=cpus,
        MemoryReservation=memory_request,
        CpuShares=max(MIN_CPU_SHARES, round(cpu_request * CPU_SHARES / NANO)),
        LogConfig={
            "Type": "json-file",
            "Config": {"max-size": team.log_max_size, "max-file": str(team.log_max_files)},
        },
    )
    final["host_config"] = host_config
    container_labels[labels.MEMORY] = str(memory_request)
    container_labels[labels.NANO_CPUS] = str(cpu_request)
    return final


def requests(team: Team, host_config: dict[str, Any], memory: int, cpus: int) -> tuple[int, int]:
    """What a container requests, beside its limits: the memory and CPUs the team's quotas and
    placement count, so that fifty idle shells do not hold fifty limits. Asked as the engine's
    own `--memory-reservation` and `--cpu-shares` (1024 a CPU, as Kubernetes maps a CPU
    request); the team's defaults otherwise; never above the limits."""
    asked_memory = host_config.get("MemoryReservation") or 0
    asked_shares = host_config.get("CpuShares") or 0
    if any(isinstance(n, bool) or not isinstance(n, int) for n in (asked_memory, asked_shares)):
        raise PolicyRefusal("__all__", _("A request is a whole number."))
    if asked_memory < 0 or asked_shares < 0:
        raise PolicyRefusal("__all__", _("A request cannot be negative."))
    memory_request = min(asked_memory or team.memory_request, memory)
    cpu_request = asked_shares * NANO // CPU_SHARES if asked_shares else nano_cpus(team.cpu_request)
    return memory_request, min(cpu_request, cpus)


def _new_volumes(grants: Grants, team: Team, parameters: dict[str, Any]) -> list[str]:
    """The named volumes to create for the container; refused: host paths, and volumes that
    are not the user's own (an instructor's: the team's) or that carry driver options."""
    missing = []
    for bind in parameters["host_config"].get("Binds") or []:
        source = bind.split(":", 1)[0]
        if not VOLUME_NAME.match(source):
            raise PolicyRefusal(
                "mounts",
                _("Host paths are for administrators: use a volume name instead of %(path)s.")
                % {"path": repr(source)},
            )
        try:
            volume = engine_volumes.inspect_volume(source)
        except NotFound:
            missing.append(source)
            continue
        mine = ownership.owns(grants, team, ownership.owner_of_found(Kind.VOLUME, volume))
        if not mine or volume.get("Driver") != "local" or volume.get("Options"):
            raise PolicyRefusal(
                "mounts", _("Volume %(name)s is not yours to use.") % {"name": source}
            )
    return missing


def _check_network(grants: Grants, team: Team, mode: str) -> None:
    # Exact ASCII names only: "HOST", "host\u200b" and "container:x" are all refused; a
    # network of the user's own (a lab session's) is allowed.
    if mode not in SAFE_NETWORKS and not ownership.own_network(grants, team, mode):
        raise PolicyRefusal(
            "network",
            _("Network %(mode)s is not allowed in team %(team)s: use bridge or none.")
            % {"mode": repr(mode), "team": team.name},
        )


def _check_aliases(mode: str, networking: dict[str, Any] | None) -> None:
    """Names on the container's own network (`--network-alias`, compose's service names), and
    nothing else of an endpoint: no fixed address, no second network."""
    if not networking:
        return
    endpoints = networking.get("EndpointsConfig") if isinstance(networking, dict) else None
    settings = endpoints.get(mode) if isinstance(endpoints, dict) and len(endpoints) == 1 else None
    aliases = settings.get("Aliases") if isinstance(settings, dict) else None
    if (
        set(networking) != {"EndpointsConfig"}
        or set(settings or {}) != {"Aliases"}
        or not isinstance(aliases, list)
        or not all(isinstance(a, str) and NETWORK_ALIAS.match(a) for a in aliases)
    ):
        raise PolicyRefusal(
            "network", _("A container joins its one network with names of its own only.")
        )


def _check_ports(team: Team, bindings: dict[str, list[dict[str, str]]]) -> None:
    if not bindings:
        return
    if not team.publishes_ports:
        raise PolicyRefusal(
            "ports", _("Team %(team)s may not publish ports.") % {"team": team.name}
        )
    for binding in (b for bound in bindings.values() for b in bound or []):
        port = binding.get("HostPort") or ""
        if not (port.isdecimal() and team.port_range_start <= int(port) <= team.port_range_end):
            raise PolicyRefusal(
                "ports",
                _("Publish on a host port from %(first)d to %(last)d.")
                % {"first": team.port_range_start, "last": team.port_range_end},
            )


def check_exec(
    user: User,
    container: dict[str, Any],
    command: list[str],
    exec_user: str = "",
    *,
    tty: bool = True,
    privileged: bool = False,
) -> CheckedExec:
    """`docker exec` into a container (its inspect data, from the gatekeeper)."""
    grants = grants_for(user)
    owner = ownership.owner_of(Kind.CONTAINER, container["Id"])
    target = {
        "target_kind": "container",
        "target_id": container["Id"],
        "target_name": container_name(container),
    }
    team = Team.objects.filter(pk=owner.team_id).first() if owner and owner.team_id else None
    rights = grants.rights(owner)
    if rights is Rights.NONE:
        raise NotFound(_("No such container: %(ref)s") % {"ref": container["Id"]})
    if rights is not Rights.WRITE:
        refusal = PolicyRefusal("__all__", _("You may only look at this container."), 403)
        refuse(user, "exec", refusal, team, **target)
    if privileged and not grants.admin:
        refuse(
            user,
            "exec",
            PolicyRefusal("privileged", _("Privileged exec is not allowed.")),
            team,
            **target,
        )
    marker = secrets.token_hex(16)
    return CheckedExec(
        container["Id"], list(command), exec_user, tty, privileged, marker=marker, seal=SEAL
    )


# Ends every process an exec started, wherever it stands (`vi`, `top`, a half-typed line, a job
# in the background), by the marker they inherited: the engine has no call to signal an exec, and
# an exec of its own works on any engine. SIGHUP first, as a closed terminal sends; SIGKILL to
# what still runs a second later.
# The marker comes as $0, never into the script's text.
END_EXEC_SCRIPT = (
    'pids=""; for p in /proc/[0-9]*; do '
    "tr '\\000' '\\n' < \"$p/environ\" 2>/dev/null | "
    f'grep -qxF "{engine_containers.EXEC_MARKER}=$0" && pids="$pids ${{p#/proc/}}"; done; '
    '[ -z "$pids" ] && exit 0; kill -HUP $pids 2>/dev/null; '
    'for _ in 1 2 3 4 5 6 7 8 9 10; do alive=""; '
    'for q in $pids; do [ -d "/proc/$q" ] && alive="$alive $q"; done; '
    '[ -z "$alive" ] && exit 0; sleep 0.1; done; kill -KILL $alive 2>/dev/null; true'
)


def exec_ender(checked: CheckedExec) -> CheckedExec:
    """The exec that ends what ``checked`` (an exec the gate let through) started, as its user."""
    if not checked.marker:  # "" would match every exec's processes
        raise ValueError("an exec without a marker cannot be ended")
    command = ["sh", "-c", END_EXEC_SCRIPT, checked.marker]
    return CheckedExec(checked.container_id, command, checked.user, tty=True, seal=SEAL)
