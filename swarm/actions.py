"""Create, scale, update and remove services and drain nodes, each with the `docker` command
line it stands for; everything but a create is the administrators'."""

import shlex
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.access.roles import User, require_administrator
from dashboard.access.services import access_service
from dashboard.actions import audit
from dashboard.engine import swarm as engine_swarm
from dashboard.engine.errors import NotFound
from dashboard.policy.services import create_service

ADMINISTRATORS_ONLY = gettext_lazy("Only administrators do this.")


def create_command(name: str, replicas: int, image: str, command: list[str]) -> str:
    return shlex.join(
        [
            "docker",
            "service",
            "create",
            "--name",
            name,
            "--replicas",
            str(replicas),
            image,
            *command,
        ]
    )


def create(
    user: User, team_id: int | None, name: str, parameters: dict[str, Any], command: str
) -> str:
    """`docker service create` through the policy gate; the new service's id."""
    target = {"target_kind": "service", "target_name": name, "team_id": team_id}
    with audit.audited(user, "service-create", command, **target) as target:
        target["target_id"] = create_service(user, team_id, parameters, command)
    return target["target_id"]


def _administered(user: User, ref: str, action: str) -> dict[str, Any]:
    with audit.denials_recorded(user, action, target_kind="service", target_name=ref):
        require_administrator(user, str(ADMINISTRATORS_ONLY))
    return access_service(user, ref)


def _changed(user: User, service: dict[str, Any], action: str, command: str, **change: Any):
    target = {"target_kind": "service", "target_id": service["ID"]}
    with audit.audited(user, action, command, target_name=service["Spec"]["Name"], **target):
        if change:
            engine_swarm.update_service(service, **change)
        else:
            engine_swarm.remove_service(service["ID"])
    return command


def scale(user: User, ref: str, replicas: int) -> str:
    service = _administered(user, ref, "service-scale")
    command = shlex.join(["docker", "service", "scale", f"{service['Spec']['Name']}={replicas}"])
    mode = {"replicated": {"Replicas": replicas}}
    return _changed(user, service, "service-scale", command, mode=mode)


def update_image(user: User, ref: str, image: str) -> str:
    service = _administered(user, ref, "service-image")
    command = shlex.join(["docker", "service", "update", "--image", image, service["Spec"]["Name"]])
    template = {"ContainerSpec": {"Image": image}}
    return _changed(user, service, "service-image", command, task_template=template)


def remove(user: User, ref: str) -> str:
    service = _administered(user, ref, "service-remove")
    command = shlex.join(["docker", "service", "rm", service["Spec"]["Name"]])
    return _changed(user, service, "service-remove", command)


def set_availability(user: User, node_id: str, availability: str) -> str:
    """`docker node update --availability`: active, pause or drain."""
    target = {"target_kind": "node", "target_id": node_id}
    with audit.denials_recorded(user, "node-availability", **target):
        require_administrator(user, str(ADMINISTRATORS_ONLY))
    node = next((n for n in engine_swarm.list_nodes() if n["ID"] == node_id), None)
    if node is None:
        raise NotFound(_("No such node: %(ref)s") % {"ref": node_id})
    command = shlex.join(["docker", "node", "update", "--availability", availability, node_id])
    hostname = node["Description"].get("Hostname", "")
    with audit.audited(user, "node-availability", command, target_name=hostname, **target):
        engine_swarm.set_node_availability(node, availability)
    return command
