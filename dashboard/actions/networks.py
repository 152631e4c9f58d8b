"""Create, connect, disconnect, remove and prune networks, each with its `docker network` line."""

import shlex
from typing import Any

from django.utils.translation import gettext as _

from dashboard.access.containers import access_container
from dashboard.access.networks import access_network, own_networks_with_rights
from dashboard.access.roles import User
from dashboard.actions import audit, removals
from dashboard.actions.done import done
from dashboard.actions.removals import remove_each
from dashboard.engine import containers as engine_containers
from dashboard.engine import networks as engine_networks
from dashboard.engine.errors import Conflict
from dashboard.models import Team
from dashboard.notation.names import container_name
from dashboard.policy import networks as policy_networks
from dashboard.policy.ownership import Kind


def create_command(name: str, subnet: str, options: dict[str, str], asked: dict[str, str]) -> str:
    args = ["docker", "network", "create", "--driver", "bridge"]
    if subnet:
        args += ["--subnet", subnet]
    for key, value in options.items():
        args += ["--opt", f"{key}={value}"]
    for key, value in asked.items():
        args += ["--label", f"{key}={value}"]
    return shlex.join([*args, name])


def create(user: User, team: Team | None, name: str, **asked: Any) -> tuple[str, str]:
    """The new network's id and the message to show."""
    command = create_command(name, asked["subnet"], asked["options"], asked["asked_labels"])
    target = {"target_kind": "network", "target_name": name, "team_id": team and team.pk}
    with audit.audited(user, "network-create", command, **target):
        network_id = policy_networks.create_user_network(user, team, name, **asked)
    return network_id, done(_("Created network %(name)s") % {"name": name}, command)


def connect(user: User, ref: str, container_ref: str, aliases: tuple[str, ...] = ()) -> str:
    network = _changeable(user, ref, "network-connect")
    container = access_container(user, container_ref, change=True)
    name = container_name(container)
    flags = [word for alias in aliases for word in ("--alias", alias)]
    command = shlex.join(["docker", "network", "connect", *flags, network["Name"], name])
    with audit.audited(user, "network-connect", command, **_target(network)):
        checked = policy_networks.connection(user, network, container, aliases)
        engine_networks.connect_container(checked)
    message = _("Connected %(container)s to %(network)s")
    return done(message % {"container": name, "network": network["Name"]}, command)


def disconnect(user: User, ref: str, container_ref: str) -> str:
    network = _changeable(user, ref, "network-disconnect")
    container = access_container(user, container_ref, change=True)
    name = container_name(container)
    command = shlex.join(["docker", "network", "disconnect", network["Name"], name])
    with audit.audited(user, "network-disconnect", command, **_target(network)):
        engine_networks.disconnect_container(network["Id"], container["Id"])
    message = _("Disconnected %(container)s from %(network)s")
    return done(message % {"container": name, "network": network["Name"]}, command)


def remove(user: User, ref: str) -> str:
    network = _changeable(user, ref, "network-remove")
    command = shlex.join(["docker", "network", "rm", network["Name"]])
    attached = [c.get("Name", "?") for c in (network.get("Containers") or {}).values()]
    with audit.audited(user, "network-remove", command, **_target(network)):
        if attached:  # the engine would answer "active endpoints", naming none
            raise Conflict(
                _(
                    "Network %(name)s has containers attached: %(containers)s. "
                    "Disconnect them first."
                )
                % {"name": network["Name"], "containers": ", ".join(attached)}
            )
        engine_networks.remove_network(network["Id"])
    return done(_("Removed network %(name)s") % {"name": network["Name"]}, command)


def networks_in_use() -> set[str]:
    """The names and ids of the networks any container on the engine is connected to, running
    or not (a container never started has the network's name only)."""
    in_use = set()
    for container in engine_containers.list_containers():
        for name, network in (
            (container.get("NetworkSettings") or {}).get("Networks") or {}
        ).items():
            in_use.update({name, network.get("NetworkID") or name})
    return in_use


def unused(user: User) -> list[dict[str, Any]]:
    """What `docker network prune` would remove for this user: their networks with no container
    (the engine's own are never pruned)."""
    found = own_networks_with_rights(user)
    return [
        network
        for network in removals.unused(found, "Id", _id_and_name, networks_in_use())
        if network["Name"] not in engine_networks.BUILTIN
    ]


def _id_and_name(network: dict[str, Any]) -> set[str]:
    return {network["Id"], network["Name"]}  # a container never started knows the name only


def prune(user: User, refs: list[str]) -> tuple[list[str], list[str]]:
    return remove_each(lambda ref: remove(user, ref), refs)


def _changeable(user: User, ref: str, action: str) -> dict[str, Any]:
    with audit.denials_recorded(user, action, target_kind="network", target_name=ref):
        return access_network(user, ref, change=True)


def _target(network: dict[str, Any]) -> dict[str, Any]:
    return {
        "target_kind": "network",
        "target_id": network["Id"],
        "target_name": network["Name"],
        "team_id": audit.team_of(Kind.NETWORK, network["Id"]),
    }
