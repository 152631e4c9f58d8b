"""Containers and their execs, as `docker ps`, `inspect`, `create`, `start`, `exec`, `diff`,
`top`, `stats` and `commit` reach them."""

import urllib.parse
from typing import Any

import requests
from django.conf import settings
from docker.types import HostConfig

from dashboard.engine.client import (
    api_url,
    client,
    engine_call,
    is_read_timeout,
    raise_for_status,
    require,
)
from dashboard.policy.sealed import CheckedCommit, CheckedCreate, CheckedExec

EXEC_MARKER = "DOCKBOARD_EXEC"


@engine_call
def list_containers(label_filters: list[str] | None = None) -> list[dict[str, Any]]:
    """`docker ps -a`, with ``--filter label=…`` for each selector (the engine ANDs them)."""
    return client().containers(
        all=True, filters={"label": label_filters} if label_filters else None
    )


@engine_call
def list_running_containers() -> list[dict[str, Any]]:
    """`docker ps`: the running ones, everyone's."""
    return client().containers()


@engine_call
def list_containers_by_id(ids: list[str], *, size: bool = False) -> list[dict[str, Any]]:
    """`docker ps -a --filter id=…` for each id: the summaries of those that still exist (with
    ``size``, `--size`: their writable layers' ``SizeRw``)."""
    return client().containers(all=True, size=size, filters={"id": ids}) if ids else []


@engine_call
def inspect_container(ref: str) -> dict[str, Any]:
    return client().inspect_container(ref)


@engine_call
def resize_container(ref: str, rows: int, cols: int) -> None:
    client().resize(ref, height=rows, width=cols)


@engine_call
def wait_for_exit(ref: str, timeout: float) -> int | None:
    """The exit code once the container is not running, or None if it still runs after timeout."""
    try:
        return client().wait(ref, timeout=timeout, condition="not-running")["StatusCode"]
    except requests.exceptions.RequestException as exc:
        if is_read_timeout(exc):
            return None
        raise


@engine_call
def path_exists(ref: str, path: str) -> bool:
    """Whether ``path`` exists in the container's filesystem (HEAD of the archive endpoint)."""
    api = client()
    url = api_url(api, f"/containers/{urllib.parse.quote(ref, safe='')}/archive")
    response = api.head(url, params={"path": path}, timeout=settings.DOCKER_TIMEOUT)
    if response.status_code == 404:
        return False
    raise_for_status(response)
    return True


@engine_call
def create_exec(checked: CheckedExec) -> str:
    checked = require(checked, CheckedExec)
    environment = {"TERM": "xterm-256color"} if checked.tty else {}
    if checked.marker:
        environment[EXEC_MARKER] = checked.marker
    created = client().exec_create(
        checked.container_id,
        checked.command,
        stdin=True,
        tty=checked.tty,
        user=checked.user,
        privileged=checked.privileged,
        environment=environment or None,
    )
    return created["Id"]


@engine_call
def inspect_exec(exec_id: str) -> dict[str, Any]:
    return client().exec_inspect(exec_id)


@engine_call
def resize_exec(exec_id: str, rows: int, cols: int) -> None:
    client().exec_resize(exec_id, height=rows, width=cols)


@engine_call
def container_action(ref: str, action: str) -> None:
    """start, stop, restart, kill, pause or unpause, as the SDK names them."""
    getattr(client(), action)(ref)


@engine_call
def remove_container(ref: str, force: bool, volumes: bool) -> None:
    client().remove_container(ref, force=force, v=volumes)


@engine_call
def rename_container(ref: str, name: str) -> None:
    client().rename(ref, name)


@engine_call
def container_changes(ref: str) -> list[dict[str, Any]]:
    return client().diff(ref) or []


@engine_call
def container_processes(ref: str) -> dict[str, Any]:
    return client().top(ref)


@engine_call
def container_stats(ref: str) -> dict[str, Any]:
    return client().stats(ref, stream=False)


@engine_call
def create_container(checked: CheckedCreate) -> str:
    return client().create_container(**require(checked, CheckedCreate).parameters)["Id"]


@engine_call
def commit_container(checked: CheckedCommit) -> str:
    """`docker commit`: the container's layer becomes the new image's top layer; its id."""
    checked = require(checked, CheckedCommit)
    created = client().commit(
        checked.container_id,
        repository=checked.repository,
        tag=checked.tag,
        message=checked.message or None,
        author=checked.author or None,
        changes=checked.changes or None,
    )
    return created["Id"]


def host_config(api_version: str, **options: Any) -> dict[str, Any]:
    """The SDK's ``HostConfig`` of `docker create`'s options, as this API version reads them."""
    return HostConfig(api_version, **options)
