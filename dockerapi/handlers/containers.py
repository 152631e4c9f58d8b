"""Containers through the endpoint. Each call passes the gatekeeper first (the caller must see the
container, and may change it for a change) and reaches the engine by the container's full id,
so a name cannot come to mean another container between the check and the call."""

import shlex
from typing import Any

from channels.db import database_sync_to_async

from dashboard.access.containers import access_container
from dashboard.access.objects import seen_by
from dashboard.actions import audit
from dashboard.engine import streams
from dashboard.engine.errors import EngineError, Refusal
from dashboard.notation.names import container_name
from dashboard.policy import containers as container_policy
from dashboard.policy.ownership import Kind
from dockerapi import create_body, relay
from dockerapi.calls import Call, Json

# The call's last path part, and the `docker` command it stands for.
COMMANDS = {
    "start": "start",
    "stop": "stop",
    "restart": "restart",
    "kill": "kill",
    "pause": "pause",
    "unpause": "unpause",
    "rename": "rename",
    "wait": "wait",
    "logs": "logs",
    "top": "top",
    "changes": "diff",
    "stats": "stats",
    "resize": "",  # the CLI's own call when its terminal changes size: not audited
}
READS = {"wait", "logs", "top", "changes", "stats"}


@database_sync_to_async
def _container(
    call: Call, ref: str, action: str, change: bool, command: str = ""
) -> tuple[dict, dict[str, Any]]:
    """The container and the audit log's target for it; a refusal is audited, and with a
    ``command`` (`docker COMMAND NAME`), the call too."""
    with audit.denials_recorded(call.user, action, target_kind="container", target_name=ref):
        container = access_container(call.user, ref, change=change)
    target = {
        "target_kind": "container",
        "target_id": container["Id"],
        "target_name": container_name(container),
        "team_id": audit.team_of(Kind.CONTAINER, container["Id"]),
    }
    if command:
        line = _line(command, target["target_name"])
        audit.record(call.user, action, command=line, **target)
    return container, target


def _line(*words: str) -> str:
    return shlex.join(["docker", *words])


async def listing(call: Call) -> Any:
    """`docker ps`: the engine's answer to the caller's filters, narrowed to what they see."""
    query = {k: v for k, v in call.query.items() if k != "limit"}
    found = await relay.read_json(call, "/containers/json", query)
    if isinstance(found, Json):
        return found

    def narrowed() -> list[dict[str, Any]]:  # and audited, in the one trip to the database
        audit.record(call.user, "list", command=_line("ps", *["-a"] * call.flag("all")))
        return seen_by(call.user, Kind.CONTAINER, found)

    visible = await database_sync_to_async(narrowed)()
    if (limit := call.query.get("limit", "")).lstrip("-").isdigit() and int(limit) > 0:
        visible = visible[: int(limit)]
    return Json(visible)


async def inspect(call: Call, ref: str) -> Any:
    container, _target = await _container(call, ref, "inspect", False, "inspect")
    if call.flag("size"):  # `--size`: the engine measures the layer
        return await relay.forward(call, f"/containers/{container['Id']}/json")
    return Json(container)


async def operation(call: Call, ref: str, operation: str) -> Any:
    """start, stop, restart, kill, pause, unpause, rename, resize, wait, logs, top, diff,
    stats: the engine's own answer, streamed (`logs -f`, `stats`, `wait`)."""
    command = COMMANDS[operation]
    action = command or operation
    container, target = await _container(call, ref, action, change=operation not in READS)
    path = f"/containers/{container['Id']}/{operation}"
    call.container_id = container["Id"]
    if not command:
        return await relay.forward(call, path)
    words = [command, target["target_name"]]
    if operation == "rename":
        words.append(call.query.get("name", ""))
    return await relay.forward(call, path, action, _line(*words), **target)


async def remove(call: Call, ref: str) -> Any:
    container, target = await _container(call, ref, "remove", change=True)
    flags = ["-f"] * call.flag("force") + ["-v"] * call.flag("v")
    command = _line("rm", *flags, target["target_name"])
    return await relay.forward(call, f"/containers/{container['Id']}", "remove", command, **target)


async def attach(call: Call, ref: str) -> Any:
    """`docker attach`, and the attach of `docker run -i -t` and `start -a`: the raw stream."""
    container, _target = await _container(call, ref, "attach", True, "attach")
    call.container_id = container["Id"]
    call.terminal = bool(container["Config"].get("Tty")) and call.flag("stdin")
    return await streams.hijack(call.engine_target(f"/containers/{container['Id']}/attach"))


async def create(call: Call) -> Any:
    parameters = create_body.create_parameters(call.json(), call.query.get("name", ""))
    command = create_body.command_line(parameters)
    container_id = await database_sync_to_async(_create)(call, parameters, command)
    return Json({"Id": container_id, "Warnings": []}, 201)


def _create(call: Call, parameters: dict[str, Any], command: str) -> str:
    """Through the policy gate, which audits its refusals; the engine's outcome is audited
    here."""
    team_id = call.token.team_id
    target = {"target_kind": "container", "target_name": parameters.get("name") or ""}
    try:
        container_id = container_policy.create_container(call.user, team_id, parameters, command)
    except EngineError as error:
        if not isinstance(error, Refusal):
            audit.failed(call.user, "create", error, command=command, team_id=team_id, **target)
        raise
    target["target_name"] = target["target_name"] or container_id[:12]
    audit.record(
        call.user, "create", command=command, team_id=team_id, target_id=container_id, **target
    )
    return container_id
