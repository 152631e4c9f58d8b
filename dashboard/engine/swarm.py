"""The engine gateway's Swarm calls (`docker node`, `docker service`), on the current engine."""

from typing import Any

from docker.types import ContainerSpec, EndpointSpec, Mount, Resources, ServiceMode, TaskTemplate

from dashboard.engine.client import client, engine_call, require
from dashboard.policy.sealed import CheckedService


@engine_call
def swarm_state() -> dict[str, Any]:
    """`docker info`'s Swarm part: LocalNodeState, ControlAvailable (a manager), NodeID."""
    return client().info().get("Swarm") or {}


@engine_call
def list_nodes() -> list[dict[str, Any]]:
    return client().nodes()


@engine_call
def list_services(label_filters: list[str] | None = None) -> list[dict[str, Any]]:
    return client().services(filters={"label": label_filters} if label_filters else None)


@engine_call
def list_tasks(service_id: str = "") -> list[dict[str, Any]]:
    return client().tasks(filters={"service": service_id} if service_id else None)


@engine_call
def inspect_service(ref: str) -> dict[str, Any]:
    return client().inspect_service(ref)


@engine_call
def update_service(service: dict[str, Any], **changes: Any) -> None:
    """`docker service update` / `scale`: ``changes`` over the service's current spec."""
    client().update_service(
        service["ID"], service["Version"]["Index"], fetch_current_spec=True, **changes
    )


@engine_call
def remove_service(ref: str) -> None:
    client().remove_service(ref)


@engine_call
def set_node_availability(node: dict[str, Any], availability: str) -> None:
    spec = {**node["Spec"], "Availability": availability}
    client().update_node(node["ID"], node["Version"]["Index"], spec)


@engine_call
def create_service(checked: CheckedService) -> str:
    return client().create_service(**require(checked, CheckedService).parameters)["ID"]


def service_parameters(
    *,
    name: str,
    image: str,
    command: list[str],
    mounts: list[tuple[str, str, str]],
    memory: int | None,
    cpus: int | None,
    network: str,
    replicas: int,
    ports: dict[int, int],
) -> dict[str, Any]:
    """The SDK's create_service arguments of `docker service create`'s options (``mounts`` as
    target, source and type)."""
    spec = ContainerSpec(
        image,
        command=command or None,
        mounts=[Mount(target, source, type=kind) for target, source, kind in mounts] or None,
    )
    task = TaskTemplate(
        spec,
        resources=Resources(mem_limit=memory or None, cpu_limit=cpus or None),
        networks=[network] if network else None,
    )
    return {
        "task_template": task,
        "name": name,
        "mode": ServiceMode("replicated", replicas=replicas),
        "endpoint_spec": EndpointSpec(ports=ports) if ports else None,
    }
