"""Requests the Engine API endpoint let through, sent to the engine as the caller asked them and
answered as the engine answers: the status, the headers that describe the body, and the body as
it comes (a pull's progress, `logs -f`, `events`, `wait` stream for as long as they last).

h11 speaks HTTP/1.1 on both sides, so the body is framed (chunked or by length) by a library,
never by hand.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import h11
from django.conf import settings

from dashboard.engine.current import current_address, unreachable
from dashboard.engine.streams import READ_SIZE, open_connection

# What the engine's answer says of its body, passed on; the framing (Content-Length,
# Transfer-Encoding) is the endpoint's own, and nothing else of the engine's connection leaks.
PASSED_HEADERS = {
    b"content-type",
    b"api-version",
    b"docker-experimental",
    b"ostype",
    b"server",
    b"builder-version",
    b"cache-control",
    b"pragma",
    b"docker-content-digest",
}


@dataclass
class EngineResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    _connection: h11.Connection
    _reader: asyncio.StreamReader
    _writer: asyncio.StreamWriter

    async def body(self) -> AsyncIterator[bytes]:
        """The body's bytes as the engine sends them."""
        while True:
            event = self._connection.next_event()
            if event is h11.NEED_DATA:
                self._connection.receive_data(await self._reader.read(READ_SIZE))
            elif isinstance(event, h11.Data):
                yield bytes(event.data)
            else:  # the end of the message, or of the connection
                return

    async def read(self, limit: int) -> bytes:
        """The whole body (an engine's list or inspect), at most ``limit`` bytes."""
        chunks, size = [], 0
        async for chunk in self.body():
            size += len(chunk)
            if size > limit:
                raise ValueError(f"the engine's answer is over {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self._writer.close()


async def send(
    method: str, target: str, body: bytes = b"", headers: list[tuple[bytes, bytes]] = ()
) -> EngineResponse:
    """Send one request to the current engine; its answer once the engine has sent the head.
    ``target`` is the path with the API version the caller asked for, and the query."""
    address = await current_address()
    reader, writer = await open_connection(address)
    connection = h11.Connection(h11.CLIENT)
    request = h11.Request(
        method=method,
        target=target,
        headers=[
            (b"host", b"docker"),
            (b"content-length", str(len(body)).encode()),
            *headers,
        ],
    )
    try:
        async with asyncio.timeout(settings.DOCKER_TIMEOUT):
            writer.write(connection.send(request))
            if body:
                writer.write(connection.send(h11.Data(data=body)))
            writer.write(connection.send(h11.EndOfMessage()))
            await writer.drain()
            while (event := connection.next_event()) is h11.NEED_DATA:
                connection.receive_data(await reader.read(READ_SIZE))
    except (OSError, TimeoutError, h11.ProtocolError) as exc:
        writer.close()
        raise unreachable(address) from exc
    if not isinstance(event, h11.Response):
        writer.close()
        raise unreachable(address)
    passed = [(name, value) for name, value in event.headers if name in PASSED_HEADERS]
    return EngineResponse(event.status_code, passed, connection, reader, writer)


@contextlib.asynccontextmanager
async def sent(
    method: str, target: str, body: bytes = b"", headers: list[tuple[bytes, bytes]] = ()
) -> AsyncIterator[EngineResponse]:
    """``send``, with the engine's connection closed when the block ends."""
    response = await send(method, target, body, headers)
    try:
        yield response
    finally:
        response.close()
