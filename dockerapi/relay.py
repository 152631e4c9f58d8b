"""The engine's answer to a request the endpoint let through, audited with the command line it
stands for: a failure comes back in the Engine API's error shape, and is logged as an error."""

from typing import Any

import orjson
from channels.db import database_sync_to_async

from dashboard.actions import audit
from dashboard.engine import passthrough
from dashboard.engine.passthrough import EngineResponse
from dockerapi.calls import Call, Json

ERROR_BODY = 64 * 1024
FORWARDED_HEADERS = (b"content-type", b"x-registry-auth")


@database_sync_to_async
def record(call: Call, action: str, command: str, error: str = "", **target: Any) -> None:
    audit.record(
        call.user,
        action,
        command=command,
        outcome=audit.Outcome.ERROR if error else audit.Outcome.OK,
        reason=error,
        **target,
    )


async def forward(
    call: Call,
    path: str,
    action: str = "",
    command: str = "",
    query: dict[str, str] | None = None,
    replaced: dict[bytes, bytes] | None = None,
    **target: Any,
) -> EngineResponse | Json:
    """Send the caller's request, for ``path`` (the object's full id in place of the name
    asked), with its headers or the ``replaced`` ones, and audit its outcome (with an
    ``action``); a failure is read and answered here."""
    sent = {name: call.headers[name] for name in FORWARDED_HEADERS if name in call.headers}
    headers = list((sent | (replaced or {})).items())
    engine_target = call.engine_target(path, query)
    response = await passthrough.send(call.method, engine_target, call.body, headers)
    if response.status < 400:
        if action:
            await record(call, action, command, **target)
        return response
    try:
        body = await response.read(ERROR_BODY)
    finally:
        response.close()
    message = _message(body) or f"HTTP {response.status}"
    if action:
        await record(call, action, command, error=message, **target)
    return Json({"message": message}, response.status)


async def read_json(call: Call, path: str, query: dict[str, str] | None = None) -> Any:
    """The engine's JSON answer to the caller's GET of ``path`` (a list, to be narrowed), or
    the engine's error as the answer to give."""
    async with passthrough.sent("GET", call.engine_target(path, query)) as response:
        body = await response.read(256 * 1024 * 1024)
        if response.status >= 400:
            return Json({"message": _message(body)}, response.status)
        return orjson.loads(body)


def _message(body: bytes) -> str:
    try:
        return str(orjson.loads(body)["message"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return body.decode(errors="replace").strip()
