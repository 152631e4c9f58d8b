"""`docker exec` through the endpoint: an exec is made by the policy gate (as a terminal's), and
started, resized or inspected only by someone who may change its container."""

import shlex
from typing import Any

from channels.db import database_sync_to_async

from dashboard.engine import containers as engine_containers
from dashboard.engine import streams
from dashboard.engine.errors import NotFound
from dashboard.policy import containers as container_policy
from dockerapi import create_body, relay
from dockerapi.calls import ApiError, Call, Json
from dockerapi.handlers.containers import _container

KNOWN = {"Cmd", "Tty", "User", "Privileged", "AttachStdin", "AttachStdout", "AttachStderr"}
IGNORED = {"DetachKeys", "ConsoleSize"}


async def create(call: Call, ref: str) -> Any:
    body = call.json()
    create_body.only_known(body, KNOWN | IGNORED, "an exec")
    command = body.get("Cmd") or []
    if not isinstance(command, list) or not command:
        raise ApiError(400, "No command was given.")
    container, target = await _container(call, ref, "exec", change=True)
    flags = ["-i"] * bool(body.get("AttachStdin")) + ["-t"] * bool(body.get("Tty"))
    line = shlex.join(["docker", "exec", *flags, target["target_name"], *map(str, command)])

    def made() -> str:
        checked = container_policy.check_exec(
            call.user,
            container,
            [str(c) for c in command],
            str(body.get("User") or ""),
            tty=bool(body.get("Tty")),
            privileged=bool(body.get("Privileged")),
        )
        return engine_containers.create_exec(checked)

    exec_id = await database_sync_to_async(made)()
    await relay.record(call, "exec", line, **target)
    return Json({"Id": exec_id}, 201)


@database_sync_to_async
def _exec_container(call: Call, exec_id: str) -> str:
    """The id of the exec's container; ``NotFound`` alike for a missing exec and one in a
    container the caller may not change."""
    try:
        found = engine_containers.inspect_exec(exec_id)
    except NotFound:
        raise NotFound(f"No such exec instance: {exec_id}") from None
    return found["ContainerID"]


async def start(call: Call, exec_id: str) -> Any:
    container_id = await _exec_container(call, exec_id)
    await _container(call, container_id, "exec", change=True)
    path = f"/exec/{exec_id}/start"
    if call.json().get("Detach"):
        return await relay.forward(call, path)
    return await streams.hijack(call.engine_target(path), call.body)


async def resize_or_inspect(call: Call, exec_id: str, operation: str) -> Any:
    container_id = await _exec_container(call, exec_id)
    await _container(call, container_id, "exec", change=operation == "resize")
    return await relay.forward(call, f"/exec/{exec_id}/{operation}")
