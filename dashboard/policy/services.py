"""The policy gate's other half: Swarm services (`docker service create`), held to the same team
policy as containers, since a service is containers on every node it lands on. This is where
Portainer's restrictions were bypassed (CVE-2026-44849): no Swarm path goes around the gate.
"""

import re
import unicodedata
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from dashboard.access.roles import Grants, User, grants_for
from dashboard.engine import swarm as engine_swarm
from dashboard.models import Team
from dashboard.notation.units import format_cpus, format_size, nano_cpus
from dashboard.policy import ownership
from dashboard.policy.containers import DEFAULT_CAPABILITIES, VOLUME_NAME
from dashboard.policy.creation import owned_labels
from dashboard.policy.images import check_image
from dashboard.policy.ownership import Kind
from dashboard.policy.refusals import PolicyRefusal, limit, locked_team, refuse
from dashboard.policy.seal import SEAL
from dashboard.policy.sealed import CheckedService

SAFE_ARGUMENTS = {"task_template", "name", "labels", "mode", "endpoint_spec"}
SAFE_TASK_KEYS = {"ContainerSpec", "Resources", "RestartPolicy", "Networks"}
SAFE_CONTAINER_KEYS = {
    "Image",
    "Command",
    "Args",
    "Env",
    "Dir",
    "User",
    "TTY",
    "OpenStdin",
    "Mounts",
    "Labels",
    "Hostname",
    "StopGracePeriod",
}
NETWORK_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$", re.ASCII)


def create_service(
    user: User, team_id: int | None, parameters: dict[str, Any], command: str = ""
) -> str:
    """`docker service create` through the gate; the new service's id."""
    grants = grants_for(user)
    team = None
    try:
        with transaction.atomic():
            team = locked_team(grants, team_id)
            final = _checked(grants, team, parameters)
            service_id = engine_swarm.create_service(CheckedService(final, seal=SEAL))
            ownership.record(Kind.SERVICE, service_id, grants.user_id, team and team.pk)
            return service_id
    except PolicyRefusal as refusal:
        refuse(
            user,
            "service-create",
            refusal,
            team,
            target_kind="service",
            target_name=parameters.get("name") or "",
            command=command,
        )


def _refused(option: str, team: Team, field: str = "__all__") -> PolicyRefusal:
    return PolicyRefusal(
        field,
        _("%(option)s is not allowed in team %(team)s.") % {"option": option, "team": team.name},
    )


def _checked(grants: Grants, team: Team | None, parameters: dict[str, Any]) -> dict[str, Any]:
    final = dict(parameters)
    task = dict(final["task_template"])
    spec = dict(task.get("ContainerSpec") or {})
    asked = [final.get("labels") or {}, spec.get("Labels") or {}]
    final["labels"] = owned_labels(grants, team, asked)
    if grants.admin:
        return final
    for key, value in parameters.items():
        if key not in SAFE_ARGUMENTS and value not in (None, "", [], {}):
            raise _refused(key, team)
    for key in task:
        if key not in SAFE_TASK_KEYS and task[key] not in (None, "", [], {}):
            raise _refused(key, team)
    for key in spec:
        if key not in SAFE_CONTAINER_KEYS and spec[key] not in (None, False, "", [], {}):
            raise _refused(key, team)
    check_image(team, spec.get("Image") or "")
    _check_mounts(team, spec.get("Mounts") or [])
    _check_networks(team, task.get("Networks") or [])
    _check_ports(team, (final.get("endpoint_spec") or {}).get("Ports") or [])
    _check_mode(team, final.get("mode") or {"replicated": {"Replicas": 1}})
    limits = dict((task.get("Resources") or {}).get("Limits") or {})
    memory = limit(limits.get("MemoryBytes") or 0, team.max_memory, "memory", format_size)
    cpus = limit(limits.get("NanoCPUs") or 0, nano_cpus(team.max_cpus), "cpus", format_cpus)
    spec.update(CapabilityDrop=["ALL"], CapabilityAdd=list(DEFAULT_CAPABILITIES))
    task.update(
        ContainerSpec=spec,
        Resources={"Limits": {"MemoryBytes": memory, "NanoCPUs": cpus, "Pids": team.pids_limit}},
        LogDriver={
            "Name": "json-file",
            "Options": {"max-size": team.log_max_size, "max-file": str(team.log_max_files)},
        },
    )
    final["task_template"] = task
    return final


def _check_mounts(team: Team, mounts: list[dict[str, Any]]) -> None:
    for mount in mounts:
        kind = mount.get("Type") or "volume"
        if kind == "tmpfs":
            continue
        source = mount.get("Source") or ""
        if kind != "volume" or not VOLUME_NAME.match(source):
            raise PolicyRefusal(
                "mounts",
                _("Host paths are for administrators: use a volume name instead of %(path)s.")
                % {"path": repr(source)},
            )
        if (mount.get("VolumeOptions") or {}).get("DriverConfig"):
            raise _refused("--mount volume-driver", team, "mounts")


def _check_networks(team: Team, networks: list[dict[str, Any]]) -> None:
    for network in networks:
        name = network.get("Target") or ""
        folded = unicodedata.normalize("NFKC", name).casefold()
        if not NETWORK_NAME.match(name) or folded in {"host", "bridge", "none"}:
            raise PolicyRefusal(
                "network",
                _("Network %(mode)s is not allowed in team %(team)s: use an overlay network.")
                % {"mode": repr(name), "team": team.name},
            )


def _check_ports(team: Team, ports: list[dict[str, Any]]) -> None:
    for port in ports:
        published = port.get("PublishedPort")
        if not (
            team.publishes_ports
            and isinstance(published, int)
            and team.port_range_start <= published <= team.port_range_end
        ):
            raise PolicyRefusal(
                "ports",
                _("Team %(team)s may not publish port %(port)s.")
                % {"team": team.name, "port": published},
            )


def _check_mode(team: Team, mode: dict[str, Any]) -> None:
    if "replicated" not in mode:
        raise _refused("--mode global", team, "replicas")
    replicas = (mode["replicated"] or {}).get("Replicas") or 0
    if replicas > team.member_containers:
        raise PolicyRefusal(
            "replicas",
            _("%(asked)s replicas asked; %(most)s is the most.")
            % {"asked": replicas, "most": team.member_containers},
        )
