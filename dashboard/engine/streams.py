"""The gateway's streams: attach and exec as raw byte streams, driven by asyncio.

The engine answers ``Upgrade: tcp`` on attach and exec-start with ``101 UPGRADED`` and then speaks
the container's bytes on the same connection; a small client here does that upgrade, so a
terminal costs a socket and a task, never a thread. Failures raise the gateway's ``EngineError``s.
"""

import asyncio
import contextlib
import json
import ssl
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from dashboard.engine import workstation
from dashboard.engine.current import current_address, unreachable
from dashboard.engine.errors import STATUS_ERRORS, EngineError, EngineUnreachable
from dashboard.engine.registry import EngineAddress
from dashboard.engine.system import api_version

DETACH_KEYS = "ctrl-p,ctrl-q"
READ_SIZE = 64 * 1024
_MAX_ERROR_BODY = 64 * 1024


@dataclass
class EngineStream:
    """An upgraded connection: ``tty`` streams are raw, others carry 8-byte frame headers (the
    engine's Content-Type says which only from API 1.42 on, so the caller tells)."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    tty: bool

    async def read(self) -> bytes:
        """The next bytes, or b"" at the end of the stream."""
        return await self.reader.read(READ_SIZE)

    async def read_more(self, seconds: float, limit: int) -> bytes:
        """What else arrives within ``seconds``, up to ``limit`` bytes (b"" if nothing does;
        the end of the stream is left for the next ``read``)."""
        chunks, size = [], 0
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while size < limit and (chunk := await self.reader.read(limit - size)):
                    chunks.append(chunk)
                    size += len(chunk)
        return b"".join(chunks)

    async def write(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            # Shielded: cancelling one waiter (the output pump, as the page closes) would
            # otherwise cancel the close future that every other waiter shares.
            await asyncio.shield(self.writer.wait_closed())


def _tls_context(address: EngineAddress) -> ssl.SSLContext | None:
    if not address.tls:
        return None
    context = ssl.create_default_context(cafile=str(address.tls_dir / "ca.pem"))
    context.load_cert_chain(str(address.tls_dir / "cert.pem"), str(address.tls_dir / "key.pem"))
    return context


async def open_connection(
    address: EngineAddress,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    host = address.address
    parts = urllib.parse.urlsplit(host)
    try:
        if parts.scheme == "unix":
            return await asyncio.open_unix_connection(parts.path, limit=READ_SIZE * 2)
        if parts.scheme in {"tcp", "http"} and parts.hostname:
            return await asyncio.open_connection(
                parts.hostname, parts.port or 2375, limit=READ_SIZE * 2, ssl=_tls_context(address)
            )
    except OSError as exc:
        raise unreachable(address) from exc
    raise EngineUnreachable(
        _("Dockboard cannot open terminal streams to %(host)s.") % {"host": host}
    )


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("the engine closed the connection")
    status = int(status_line.split(b" ", 2)[1])
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _sep, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


async def _error_from(reader: asyncio.StreamReader, status: int, headers: dict) -> EngineError:
    length = int(headers.get("content-length") or 0)
    body = await reader.read(min(length, _MAX_ERROR_BODY)) if length else b""
    try:
        message = json.loads(body)["message"]
    except (ValueError, KeyError, TypeError):
        message = body.decode(errors="replace").strip() or f"HTTP {status}"
    return STATUS_ERRORS.get(status, EngineError)(message)


async def _versioned(path: str) -> str:
    return f"/v{await asyncio.to_thread(api_version)}{path}"


async def _upgrade(target: str, tty: bool, body: bytes = b"") -> EngineStream:
    address = await current_address()
    reader, writer = await open_connection(address)
    request = (
        f"POST {target} HTTP/1.1\r\n"
        "Host: docker\r\n"
        "Connection: Upgrade\r\n"
        "Upgrade: tcp\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    try:
        async with asyncio.timeout(settings.DOCKER_TIMEOUT):
            writer.write(request + body)
            await writer.drain()
            status, headers = await _read_head(reader)
            if status not in (101, 200):
                raise await _error_from(reader, status, headers)
    except (OSError, TimeoutError, ValueError, IndexError) as exc:
        writer.close()
        raise unreachable(address) from exc
    except EngineError:
        writer.close()
        raise
    return EngineStream(reader, writer, tty)


async def attach(container_id: str, tty: bool, image: str = "") -> EngineStream:
    """`docker attach`: stdin, stdout and stderr, with the detach keys Ctrl+P, Ctrl+Q (but on
    a lab workstation, where they are the `docker attach` typed in it's)."""
    keys = workstation.detach_keys_for(image, DETACH_KEYS)
    query = urllib.parse.urlencode(
        {"stream": 1, "stdin": 1, "stdout": 1, "stderr": 1, "detachKeys": keys}
    )
    path = f"/containers/{urllib.parse.quote(container_id)}/attach?{query}"
    return await _upgrade(await _versioned(path), tty)


async def start_exec(exec_id: str, tty: bool) -> EngineStream:
    body = json.dumps({"Detach": False, "Tty": tty}).encode()
    return await _upgrade(await _versioned(f"/exec/{urllib.parse.quote(exec_id)}/start"), tty, body)


async def hijack(target: str, body: bytes = b"") -> EngineStream:
    """An attach or exec start that the Engine API endpoint let through, as the caller asked it
    (``target`` has the API version the caller asked for): the raw stream after the upgrade."""
    return await _upgrade(target, True, body)
