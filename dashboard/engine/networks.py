"""The engine gateway's network calls (`docker network`), on the current engine."""

from typing import Any

import docker

from dashboard.engine.client import client, engine_call, require
from dashboard.policy.sealed import CheckedConnection, CheckedNetwork


@engine_call
def inspect_network(ref: str) -> dict[str, Any]:
    return client().inspect_network(ref)


BUILTIN = ("bridge", "host", "none")


@engine_call
def list_networks(label_filters: list[str], *, builtin: bool = False) -> list[dict[str, Any]]:
    """`docker network ls`, with ``--filter label=…`` for each selector, or only the engine's
    own networks (``--filter type=builtin``)."""
    if builtin:
        return client().networks(filters={"type": "builtin"})
    return client().networks(filters={"label": label_filters} if label_filters else None)


@engine_call
def create_network(checked: CheckedNetwork) -> str:
    """A bridge network of its own: the containers on it reach each other and nothing else
    of other users'. A subnet of its own keeps the engine's default pools (~30 networks)
    for everyone else."""
    checked = require(checked, CheckedNetwork)
    ipam = None
    if checked.subnet:
        ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=checked.subnet)])
    created = client().create_network(
        checked.name,
        driver="bridge",
        options=checked.options or None,
        labels=checked.labels,
        check_duplicate=True,
        ipam=ipam,
    )
    return created["Id"]


@engine_call
def connect_container(checked: CheckedConnection) -> None:
    checked = require(checked, CheckedConnection)
    client().connect_container_to_network(
        checked.container_id, checked.network_id, aliases=list(checked.aliases) or None
    )


@engine_call
def disconnect_container(network_id: str, container_id: str) -> None:
    client().disconnect_container_from_network(container_id, network_id)


@engine_call
def remove_network(ref: str) -> None:
    client().remove_network(ref)
