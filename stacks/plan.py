"""A stack's services as the engine's create parameters, labelled as docker-compose 1.29 labels
its containers (so that `docker-compose -p NAME ps` and `down` see them), with a hash of each
service's configuration that tells a redeploy which containers to recreate."""

import hashlib
import json
import shlex
from typing import Any

from dashboard.engine.containers import host_config
from dashboard.notation.compose_project import (
    COMPOSE_LABEL,
    PROJECT_LABEL,
    SERVICE_LABEL,
    Project,
    Service,
    StackObject,
)

HASH_LABEL = f"{COMPOSE_LABEL}.config-hash"
NUMBER_LABEL = f"{COMPOSE_LABEL}.container-number"
ONEOFF_LABEL = f"{COMPOSE_LABEL}.oneoff"
NETWORK_LABEL = f"{COMPOSE_LABEL}.network"
VOLUME_LABEL = f"{COMPOSE_LABEL}.volume"


def command_line(name: str, action: str = "up -d") -> str:
    """The `docker-compose` line a stack's button stands for."""
    return f"docker-compose -p {shlex.quote(name)} -f compose.yaml {action}"


def object_labels(project: Project, kind_label: str, found: StackObject) -> dict[str, str]:
    return {**dict(found.labels), PROJECT_LABEL: project.name, kind_label: found.key}


def create_parameters(project: Project, service: Service, api_version: str) -> dict[str, Any]:
    """Keyword arguments of the SDK's ``create_container`` for the service's one container."""
    first = service.networks[0] if service.networks else None
    network = service.network_mode or (project.network_named(first.network) if first else "")
    policy, _sep, retries = service.restart.partition(":")
    binds = [_bind(project, m.source, m.bind) + f":{m.target}" + (":ro" if m.read_only else "")
             for m in service.mounts if m.source]  # fmt: skip
    parameters: dict[str, Any] = {
        "image": service.image,
        "name": service.container_name,
        "command": service.command,
        "entrypoint": service.entrypoint,
        "stdin_open": service.stdin_open,
        "tty": service.tty,
        "environment": service.environment or None,
        "ports": [(p.container_port, p.protocol) for p in service.ports]
        + [_exposed(port) for port in service.expose]
        or None,
        "volumes": [m.target for m in service.mounts] or None,
        "working_dir": service.working_dir or None,
        "user": service.user or None,
        "hostname": service.hostname or None,
        "stop_signal": service.stop_signal or None,
        "stop_timeout": service.stop_timeout,
        "host_config": host_config(
            api_version,
            port_bindings={
                f"{p.container_port}/{p.protocol}": [
                    {"HostIp": p.host_ip.strip("[]"), "HostPort": p.host_port}
                ]
                for p in service.ports
            }
            or None,
            binds=binds or None,
            restart_policy={"Name": policy, "MaximumRetryCount": int(retries or 0)},
            mem_limit=service.memory or None,
            mem_reservation=service.memory_request or None,
            nano_cpus=int(float(service.cpus) * 1e9) if service.cpus else None,
            network_mode=network or None,
            privileged=service.privileged,
            cap_add=service.cap_add or None,
            cap_drop=service.cap_drop or None,
            devices=service.devices or None,
            sysctls=service.sysctls or None,
            security_opt=service.security_opt or None,
            pid_mode=service.pid or None,
            ipc_mode=service.ipc or None,
        ),
    }
    if first and not service.network_mode:
        parameters["networking_config"] = {
            "EndpointsConfig": {network: {"Aliases": list(first.aliases)}}
        }
    digest = hashlib.sha256(json.dumps(parameters, sort_keys=True, default=str).encode())
    parameters["labels"] = {
        **service.labels,
        PROJECT_LABEL: project.name,
        SERVICE_LABEL: service.name,
        NUMBER_LABEL: "1",
        ONEOFF_LABEL: "False",
        HASH_LABEL: digest.hexdigest(),
    }
    return parameters


def _bind(project: Project, source: str, bind: bool) -> str:
    return source if bind else project.volume_named(source)


def _exposed(port: str) -> tuple[int, str]:
    number, _sep, protocol = port.partition("/")
    return int(number), protocol or "tcp"
