"""One-shot stats of many containers at once, for the stats collector.

The engine answers a stats request at its next tick, once a second, even with ``one-shot``: read
one after another, 500 containers take 500 seconds. So the requests are sent together, each on
its own connection (HTTP/1.1 through h11, on the gateway's asyncio connections), and the engine
answers them all at the same tick. A container that is gone, or an answer that fails, is
missing from the result.
"""

import asyncio
import contextlib
import json
from typing import Any

import h11

from dashboard.engine.current import current, on
from dashboard.engine.errors import EngineError
from dashboard.engine.registry import EngineAddress
from dashboard.engine.streams import READ_SIZE, open_connection
from dashboard.engine.system import api_version

AT_ONCE = 250  # connections open to one engine at a time
TIMEOUT_SECONDS = 10.0


def stats_now(wanted: dict[str, list[str]]) -> dict[str, dict[str, dict[str, Any]]]:
    """For each engine named in ``wanted``, the one-shot stats of each of its containers that
    answered, by id; every engine's asked at once, so that a pass takes one tick, not one an
    engine. Call from a thread with no event loop running (the collector's)."""
    engines = {}
    for name in wanted:
        with on(name), contextlib.suppress(EngineError):  # down since it listed: none of it
            engines[name] = (current(), api_version())

    async def read_all() -> list[dict[str, dict[str, Any]]]:
        return await asyncio.gather(
            *(_read_engine(*engines[name], wanted[name]) for name in engines)
        )

    return dict(zip(engines, asyncio.run(read_all()), strict=True))


async def _read_engine(
    address: EngineAddress, version: str, container_ids: list[str]
) -> dict[str, dict[str, Any]]:
    gate = asyncio.Semaphore(AT_ONCE)

    async def read(container_id: str) -> tuple[str, dict[str, Any] | None]:
        async with gate:
            path = f"/v{version}/containers/{container_id}/stats?stream=false&one-shot=true"
            try:
                return container_id, await asyncio.wait_for(_get(address, path), TIMEOUT_SECONDS)
            except (OSError, TimeoutError, h11.ProtocolError, ValueError, EngineError):
                return container_id, None

    answers = await asyncio.gather(*(read(c) for c in container_ids))
    return {container_id: found for container_id, found in answers if found is not None}


async def _get(address: EngineAddress, path: str) -> dict[str, Any] | None:
    reader, writer = await open_connection(address)
    try:
        connection = h11.Connection(h11.CLIENT)
        request = h11.Request(
            method="GET", target=path, headers=[("Host", "docker"), ("Connection", "close")]
        )
        writer.write(connection.send(request) + connection.send(h11.EndOfMessage()))
        status, body = 0, bytearray()
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                connection.receive_data(await reader.read(READ_SIZE))
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                break
        return json.loads(body) if status == 200 else None
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
