"""The engine gateway's log calls (`docker logs`), on the current engine."""

import contextlib
import urllib.parse
from collections.abc import Iterator

from django.conf import settings

from dashboard.engine.client import (
    api_url,
    client,
    engine_call,
    raise_for_status,
    translated_errors,
)
from dashboard.engine.frames import Demultiplexer

READ_SIZE = 64 * 1024


@engine_call
def container_logs(
    ref: str, *, stdout: bool, stderr: bool, tail: int | str, since: int = 0
) -> bytes:
    return client().logs(
        ref, stdout=stdout, stderr=stderr, timestamps=True, tail=tail, since=since or None
    )


@engine_call
def container_logs_tail(ref: str, lines: int) -> bytes:
    return client().logs(ref, stdout=True, stderr=True, tail=lines)


def container_log_stream(ref: str, *, stdout: bool, stderr: bool, tty: bool) -> Iterator[bytes]:
    """`docker logs -t` as it is read (no follow): the request is made now, and the engine's
    refusal raises here; the chunks come as the caller iterates, and a failure midway ends the
    iteration with an ``EngineError``. (The SDK's stream ends quietly on either: its iterator
    takes the HTTP error, an ``OSError``, for the end of the stream.)"""
    with translated_errors():
        api = client()
        response = api.get(
            api_url(api, f"/containers/{urllib.parse.quote(ref, safe='')}/logs"),
            params={"stdout": int(stdout), "stderr": int(stderr), "timestamps": 1, "tail": "all"},
            stream=True,
            timeout=settings.DOCKER_TIMEOUT,
        )
        raise_for_status(response)

    def read() -> Iterator[bytes]:
        demux = None if tty else Demultiplexer()
        with translated_errors(), contextlib.closing(response):
            for chunk in response.iter_content(READ_SIZE):
                if demux is None:
                    yield chunk
                else:
                    yield from (payload for _stream, payload in demux.feed(chunk))

    return read()
