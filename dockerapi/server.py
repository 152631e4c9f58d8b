"""The Engine API endpoint's HTTP/1.1 server: h11 over asyncio streams.

h11 parses every request (headers and body framing: chunked, ``Content-Length``, conflicts
between them, a second request on the connection) and refuses what HTTP/1.1 does not allow;
the limits below cap what a caller can make the server hold. A request is answered by
``dockerapi.routes``; an answer that streams (a pull, `logs -f`, `attach`) stops when the caller
goes away or its token stops being valid.
"""

import asyncio
import contextlib
import functools
import logging
import shutil
import socket

import h11
import orjson
from channels.db import database_sync_to_async
from django.db import DatabaseError

from dashboard.engine import streams
from dashboard.engine.errors import EngineError
from dashboard.engine.passthrough import EngineResponse
from dashboard.interfaces import session_sockets
from dockerapi import detaches, tokens
from dockerapi.calls import ApiError, Call, Json
from dockerapi.events import CallersEvents
from dockerapi.routes import answer

logger = logging.getLogger(__name__)

MAX_HEAD = 64 * 1024  # request line and headers
MAX_BODY = 1024 * 1024  # a create's or an exec's body is a few KiB
READ_SIZE = 64 * 1024
IDLE_SECONDS = 120.0  # between requests on a kept-alive connection
TOKEN_CHECK_SECONDS = 0.5  # how soon a revoked token's open streams close
HALF_CLOSED_SECONDS = 1.0
SESSION_SOCKETS_SECONDS = 0.5  # how soon a session's socket answers, and stops answering


DATABASE_AWAY = (
    "Dockboard's database did not answer in time (it is busy or restarting). Try again in a "
    "moment; what you sent may not have been done."
)


class Closed(Exception):
    """The caller went away, or its token stopped being valid, while an answer streamed."""


async def serve_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, session_token: int | None = None
) -> None:
    """One caller's connection: a person's, with a bearer token in each request, or a lab
    session's socket, whose token (``session_token``) is the socket's own."""
    connection = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
    peer = writer.get_extra_info("peername")
    if isinstance(peer, tuple):  # TCP: a head and its body go out at once, as written
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while await _one_request(connection, reader, writer, peer, session_token):
            connection.start_next_cycle()
    except h11.RemoteProtocolError as exc:
        if connection.our_state in (h11.IDLE, h11.SEND_RESPONSE):
            status = exc.error_status_hint
            with contextlib.suppress(h11.LocalProtocolError, OSError):
                await _send_json(connection, writer, status, {"message": str(exc)}, close=True)
    except (Closed, OSError, TimeoutError, h11.LocalProtocolError):
        pass
    except Exception:  # one caller's failure must not end the server
        logger.exception("Engine API endpoint: a connection failed")
    finally:
        writer.close()


async def _one_request(
    connection: h11.Connection,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    peer: object,
    session_token: int | None,
) -> bool:
    """Answer one request; whether the connection may carry another."""
    request = await _next_event(connection, reader, IDLE_SECONDS)
    if not isinstance(request, h11.Request):
        return False
    headers = {name.lower(): value for name, value in request.headers}
    if refusal := _framing_refusal(request):
        await _send_json(connection, writer, refusal[0], {"message": refusal[1]}, close=True)
        return False
    body = bytearray()
    while not isinstance(event := await _next_event(connection, reader, 30.0), h11.EndOfMessage):
        if not isinstance(event, h11.Data):
            return False
        body += event.data
        if len(body) > MAX_BODY:
            await _send_json(
                connection, writer, 413, {"message": "The request body is too large."}, close=True
            )
            return False
    try:
        if session_token is None:
            token = await _token(headers)
        else:
            token = await database_sync_to_async(tokens.valid_by_id)(session_token)
    except DatabaseError:
        await _send_json(connection, writer, 503, {"message": DATABASE_AWAY}, close=True)
        return False
    if token is None:
        message = (
            "Dockboard needs a valid personal access token: "
            'set "HttpHeaders": {"Authorization": "Bearer …"} in ~/.docker/config.json.'
        )
        await _send_json(connection, writer, 401, {"message": message}, close=True)
        return False
    call = Call.parse(request.method.decode(), request.target.decode(), headers, bytes(body), token)
    call.peer = peer[0] if isinstance(peer, tuple) else ""
    try:
        reply = await answer(call)
    except ApiError as error:
        reply = Json({"message": error.message}, error.status)
    except EngineError as error:
        reply = Json({"message": error.message}, ApiError.of(error).status)
    except DatabaseError:
        reply = Json({"message": DATABASE_AWAY}, 503)
    if isinstance(reply, Json):
        data = None if call.method == "HEAD" else reply.data
        await _send_json(connection, writer, reply.status, data)
    elif isinstance(reply, streams.EngineStream):
        await _hijacked(connection, reader, writer, reply, call)
        return False
    else:
        await _relay(connection, reader, writer, reply, call)
    return connection.our_state is h11.DONE and connection.their_state is h11.DONE


def _framing_refusal(request: h11.Request) -> tuple[int, str] | None:
    """What HTTP/1.1 lets a server refuse, and h11 lets through: a head over the limit (h11
    counts only a head that is still arriving), and a body framed both by length and by chunks,
    which two parsers may read apart (RFC 9112, 6.1)."""
    size = len(request.target) + sum(len(name) + len(value) + 4 for name, value in request.headers)
    if size > MAX_HEAD:
        return 431, "The request's headers are too large."
    names = {name for name, _value in request.headers}
    if b"transfer-encoding" in names and b"content-length" in names:
        return 400, "A request has a Content-Length or a Transfer-Encoding, not both."
    return None


async def _next_event(
    connection: h11.Connection, reader: asyncio.StreamReader, seconds: float
) -> object:
    while (event := connection.next_event()) is h11.NEED_DATA:
        async with asyncio.timeout(seconds):
            connection.receive_data(await reader.read(READ_SIZE))
    return event


async def _token(headers: dict[bytes, bytes]) -> tokens.ApiToken | None:
    scheme, _sep, secret = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return None
    return await database_sync_to_async(tokens.valid)(secret.strip())


async def _send_json(
    connection: h11.Connection, writer: asyncio.StreamWriter, status: int, data, close=False
) -> None:
    body = orjson.dumps(data) if data is not None else b""
    headers = [
        *([(b"content-type", b"application/json")] if body else []),
        *([(b"content-length", str(len(body)).encode())] if status != 204 else []),
        *([(b"connection", b"close")] if close else []),
    ]
    writer.write(connection.send(h11.Response(status_code=status, headers=headers)))
    if body:
        writer.write(connection.send(h11.Data(data=body)))
    writer.write(connection.send(h11.EndOfMessage()))
    await writer.drain()


async def _watch(call: Call, reader: asyncio.StreamReader | None) -> None:
    """Return when the caller has gone (its connection ends) or its token is no longer valid;
    what the caller sends meanwhile is left to the connection (``reader`` None: not read)."""
    still_valid = database_sync_to_async(tokens.still_valid)

    async def token_valid() -> None:
        await asyncio.sleep(TOKEN_CHECK_SECONDS)  # it was valid when the call came
        while await still_valid(call.token.pk):
            await asyncio.sleep(TOKEN_CHECK_SECONDS)

    async def caller_connected() -> None:
        if reader is None:
            await asyncio.Event().wait()
        while not reader.at_eof():
            # A caller's next request waits in the reader's buffer for the next cycle.
            await asyncio.sleep(TOKEN_CHECK_SECONDS)
        # A caller that has closed its side may still read the answer it is owed (a pipelined
        # request's); a stream it left goes on no longer than this.
        await asyncio.sleep(HALF_CLOSED_SECONDS)

    tasks = [asyncio.create_task(token_valid()), asyncio.create_task(caller_connected())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


async def _until_closed(call: Call, reader: asyncio.StreamReader | None, work) -> None:
    """Run ``work`` until it ends, the caller goes, or the token is revoked."""
    watcher = asyncio.create_task(_watch(call, reader))
    worker = asyncio.create_task(work)
    try:
        done, _pending = await asyncio.wait({watcher, worker}, return_when=asyncio.FIRST_COMPLETED)
        if worker not in done:
            raise Closed
        worker.result()
    finally:
        watcher.cancel()
        worker.cancel()


async def _relay(
    connection: h11.Connection,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    response: EngineResponse | CallersEvents,
    call: Call,
) -> None:
    """The engine's answer, streamed on to the caller as it comes (a `wait` on a container,
    until the caller detaches from it: ``dockerapi.detaches``)."""
    waits = call.path.endswith("/wait") and call.container_id
    with detaches.waiting(call.token.pk, call.container_id) as detach:

        async def pump() -> None:
            async for chunk in response.body():
                if chunk:
                    writer.write(connection.send(h11.Data(data=chunk)))
                    await writer.drain()

        async def pump_until_detached() -> None:
            body = asyncio.create_task(pump())
            detached = asyncio.create_task(detach.wait())
            try:
                await asyncio.wait({body, detached}, return_when=asyncio.FIRST_COMPLETED)
                if body.done():
                    body.result()  # raises what ended it, if anything did
                else:
                    writer.write(connection.send(h11.Data(data=detaches.WAIT_ANSWER)))
            finally:
                body.cancel()
                detached.cancel()

        head = h11.Response(status_code=response.status, headers=response.headers)
        writer.write(connection.send(head))
        try:
            work = pump_until_detached() if waits else pump()
            await _until_closed(call, reader, work)
        finally:
            response.close()
        writer.write(connection.send(h11.EndOfMessage()))
        await writer.drain()


async def _hijacked(
    connection: h11.Connection,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    engine: streams.EngineStream,
    call: Call,
) -> None:
    """`attach` and `exec start`: after the upgrade, the caller's bytes go to the engine and the
    engine's to the caller, as they come, until the engine's side ends."""
    upgraded = b"upgrade" in call.headers.get(b"connection", b"").lower()
    head = [(b"content-type", b"application/vnd.docker.raw-stream")]
    if upgraded:
        head += [(b"connection", b"Upgrade"), (b"upgrade", b"tcp")]
        writer.write(connection.send(h11.InformationalResponse(status_code=101, headers=head)))
        leftover = connection.trailing_data[0]
    else:  # the answer of engines before 1.24: 200, then the raw stream
        writer.write(connection.send(h11.Response(status_code=200, headers=head)))
        leftover = b""
    await writer.drain()

    async def caller_to_engine() -> None:
        if leftover:
            await engine.write(leftover)
        while data := await reader.read(READ_SIZE):
            await engine.write(data)
        if call.terminal:  # a terminal's input ends when the person detaches
            detaches.detached(call.token.pk, call.container_id)
        if engine.writer.can_write_eof():
            engine.writer.write_eof()  # stdin closed, as the CLI's CloseWrite says
        await asyncio.Event().wait()

    async def engine_to_caller() -> None:
        while chunk := await engine.read():
            writer.write(chunk)
            await writer.drain()

    async def both() -> None:
        sender = asyncio.create_task(caller_to_engine())
        try:
            await engine_to_caller()
        finally:
            sender.cancel()

    try:
        await _until_closed(call, None, both())
    finally:
        await engine.close()


async def serve(host: str, port: int) -> None:
    """The endpoint on ``host:port``, and on the socket of every lab session that has one."""
    server = await asyncio.start_server(serve_connection, host, port, limit=READ_SIZE * 2)
    async with server:
        await asyncio.gather(server.serve_forever(), serve_session_sockets())


async def serve_session_sockets() -> None:
    """Bind each lab session's socket while its token is valid; close and remove it after."""
    serving: dict[int, tuple[int, asyncio.Server]] = {}
    wanted_now = database_sync_to_async(tokens.session_tokens)
    failing = False
    try:
        while True:
            try:
                wanted = await wanted_now()
            except Exception:  # the database is away: keep what is served, ask again
                if not failing:  # once, not every half second
                    logger.exception("Engine API endpoint: lab session sockets not read")
                failing = True
                await asyncio.sleep(SESSION_SOCKETS_SECONDS)
                continue
            failing = False
            for session_id, (token_id, server) in list(serving.items()):
                if wanted.get(session_id) != token_id:
                    server.close()
                    shutil.rmtree(session_sockets.directory(session_id), ignore_errors=True)
                    del serving[session_id]
            for session_id, token_id in wanted.items():
                directory = session_sockets.directory(session_id)
                if session_id in serving or not directory.is_dir():
                    continue
                path = session_sockets.path(session_id)
                path.unlink(missing_ok=True)  # left by an endpoint that stopped
                answer = functools.partial(serve_connection, session_token=token_id)
                server = await asyncio.start_unix_server(answer, path, limit=READ_SIZE * 2)
                serving[session_id] = (token_id, server)
            await asyncio.sleep(SESSION_SOCKETS_SECONDS)
    finally:
        for _token_id, server in serving.values():
            server.close()
