"""The engine's own facts: `_ping` and `version` (the CLI's version negotiation), and `info`
with the counts of what the caller sees."""

from typing import Any

from channels.db import database_sync_to_async

from dashboard.access.containers import visible_containers
from dockerapi import relay
from dockerapi.calls import Call, Json
from dockerapi.events import CallersEvents

PAUSED, RUNNING = "paused", "running"


async def ping_or_version(call: Call) -> Any:
    return await relay.forward(call, call.path)


async def info(call: Call) -> Any:
    """`docker info`: the engine's, with its container counts those of the caller's."""
    found = await relay.read_json(call, "/info")
    if isinstance(found, Json):
        return found
    states = [c.get("State") for c in await database_sync_to_async(visible_containers)(call.user)]
    found.update(
        Containers=len(states),
        ContainersRunning=states.count(RUNNING),
        ContainersPaused=states.count(PAUSED),
        ContainersStopped=len(states) - states.count(RUNNING) - states.count(PAUSED),
    )
    await relay.record(call, "info", "docker info")
    return Json(found)


async def events(call: Call) -> Any:
    """`docker events`: the engine's stream of the caller's objects' events."""
    response = await relay.forward(call, "/events", "events", "docker events")
    if isinstance(response, Json):
        return response
    return CallersEvents(response, call.user)
