"""Ctrl+P, Ctrl+Q through the endpoint over TCP.

The CLI sees the detach keys itself, but over a TCP connection the error that says so reaches it
wrapped, so it takes them for the end of its input and waits for the container to exit
(docker/cli#3385; a TCP engine of its own hangs the same way). It closes its side of the
attach, which a terminal's attach never does otherwise (Ctrl+D is a byte like any other), so the
endpoint answers that caller's pending `wait` on the container as the CLI ends on a unix socket:
"read escape sequence". The engine detaches the terminal as it does for the keys: the container
runs on."""

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Iterator

import orjson

WAIT_ANSWER = orjson.dumps({"StatusCode": 0, "Error": {"Message": "read escape sequence"}})

_waiting: dict[tuple[int, str], set[asyncio.Event]] = defaultdict(set)


@contextlib.contextmanager
def waiting(token_id: int, container_id: str) -> Iterator[asyncio.Event]:
    """An event set when this caller detaches from the container, while the block runs."""
    key = (token_id, container_id)
    event = asyncio.Event()
    _waiting[key].add(event)
    try:
        yield event
    finally:
        _waiting[key].discard(event)
        if not _waiting[key]:
            del _waiting[key]


def detached(token_id: int, container_id: str) -> None:
    for event in _waiting.get((token_id, container_id), ()):
        event.set()
