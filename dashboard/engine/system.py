"""The engine as a whole: `docker version`, `docker info`, `docker system df`, and the file
system its data lives on."""

import os
from typing import Any

from dashboard.engine import current
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


def data_filesystem(root_dir: str) -> tuple[int, int] | None:
    """Used and usable bytes of the file system that holds the engine's data (``docker info``'s
    DockerRootDir), as `df` counts them; None for an engine on another machine (the Engine API
    tells no free space) or a directory this process cannot see."""
    if not current.current().address.startswith("unix://") or not root_dir:
        return None
    try:
        fs = os.statvfs(root_dir)
    except OSError:
        return None
    used = (fs.f_blocks - fs.f_bfree) * fs.f_frsize
    return used, used + fs.f_bavail * fs.f_frsize  # the room the engine may still fill


@engine_call
def api_version() -> str:
    return client().api_version
