"""The engine as a whole: `docker version`, `docker info`, `docker system df`."""

from typing import Any

from dashboard.engine.client import client, engine_call


@engine_call
def version() -> dict[str, Any]:
    return client().version()


@engine_call
def info() -> dict[str, Any]:
    return client().info()


@engine_call
def disk_usage() -> dict[str, Any]:
    return client().df()


@engine_call
def api_version() -> str:
    return client().api_version
