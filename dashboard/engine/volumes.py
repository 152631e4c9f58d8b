"""The engine gateway's volume calls (`docker volume`), on the current engine."""

from typing import Any

from dashboard.engine.client import client, engine_call, require
from dashboard.policy.sealed import CheckedVolume


@engine_call
def list_volumes(label_filters: list[str]) -> list[dict[str, Any]]:
    """`docker volume ls`, with ``--filter label=…`` for each selector."""
    filters = {"label": label_filters} if label_filters else None
    return client().volumes(filters=filters).get("Volumes") or []


@engine_call
def inspect_volume(name: str) -> dict[str, Any]:
    return client().inspect_volume(name)


@engine_call
def create_volume(checked: CheckedVolume) -> dict[str, Any]:
    """A volume of the local driver, as the policy gate let it through."""
    checked = require(checked, CheckedVolume)
    return client().create_volume(
        checked.name,
        driver="local",
        driver_opts=checked.driver_options or None,
        labels=checked.labels,
    )


@engine_call
def remove_volume(name: str) -> None:
    client().remove_volume(name)


@engine_call
def volume_sizes() -> dict[str, dict[str, int]]:
    """`docker system df -v` for volumes: each one's size and reference count, by name. The engine
    walks every volume for it, so pages ask only on demand."""
    return {
        volume["Name"]: volume.get("UsageData") or {}
        for volume in client().df().get("Volumes") or []
    }


@engine_call
def containers_using_volume(name: str) -> list[dict[str, Any]]:
    return client().containers(all=True, filters={"volume": name})
