"""The engine gateway's event stream (`docker events`), and one reader of it per server process
and engine, shared by every live page of that process.

A reader thread starts with the first subscriber and ends after the last. It reconnects with
backoff; when the stream was lost for more than a read timeout (the engine restarted, say), it
tells its subscribers to re-list once, so that nothing changed meanwhile is missed.

A live page asked the engine for what it shows a moment before its socket subscribes: each
subscriber names that moment (``since``), and first hears the events that came after it, from
the reader's recent ones or, while its stream is still opening, from the engine's own.
"""

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from dashboard.engine import current as engine
from dashboard.engine.client import client, translated_errors

log = logging.getLogger(__name__)
RESYNC = {"Type": "dockboard", "Action": "resync"}
RECEIVED = "dockboard.received"  # added to each event: its time.monotonic() on arrival
BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0)
REPLAY_SECONDS = 10.0  # how far back a subscriber's ``since`` may reach
REPLAY_LIMIT = 1000

type Deliver = Callable[[dict[str, Any]], None]


def object_events(since: float | None) -> tuple[Callable[[], None], Iterator[dict[str, Any]]]:
    """`docker events --filter type=container --filter type=image [--since]`: a way to close
    it, and the events."""
    kinds = {"type": ["container", "image"]}
    with translated_errors():
        stream = client().events(since=since, filters=kinds, decode=True)

    def read() -> Iterator[dict[str, Any]]:
        with translated_errors():
            yield from stream

    return stream.close, read()


class EventReader:
    def __init__(self, engine_name: str) -> None:
        self.engine_name = engine_name
        self.subscribers: list[Deliver] = []
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.close_stream: Callable[[], None] | None = None
        self.opening_since: float | None = None  # for the engine, until the stream is open
        self.recent: deque[tuple[float, dict[str, Any]]] = deque(maxlen=REPLAY_LIMIT)

    def subscribe(self, deliver: Deliver, since: float) -> Callable[[], None]:
        """Have ``deliver`` called (in the reader's thread) with each event, first with those
        that came after ``since`` (a ``time.time()``, at most REPLAY_SECONDS ago); the
        unsubscriber."""
        since = max(since, time.time() - REPLAY_SECONDS)
        with self.lock:
            self.subscribers.append(deliver)
            if self.thread is None:
                self.recent.clear()
                self.opening_since = since
                self.thread = threading.Thread(
                    target=self._run, name=f"events-{self.engine_name}", daemon=True
                )
                self.thread.start()
            elif self.close_stream is None:
                self.opening_since = min(since, self.opening_since or since)
            for arrived, event in self.recent:
                if arrived >= since:
                    deliver(event)

        def unsubscribe() -> None:
            with self.lock:
                with contextlib.suppress(ValueError):
                    self.subscribers.remove(deliver)
                if not self.subscribers and self.close_stream is not None:
                    self.close_stream()  # the reader sees no subscriber and ends

        return unsubscribe

    def _deliver(self, event: dict[str, Any]) -> None:
        with self.lock:
            if event is not RESYNC:
                self.recent.append((time.time(), event))
            subscribers = list(self.subscribers)
        for deliver in subscribers:
            try:
                deliver(event)
            except Exception:  # its page is gone (its event loop closed): it hears no more
                log.debug("dropping a subscriber of %s", self.engine_name, exc_info=True)
                with self.lock, contextlib.suppress(ValueError):
                    self.subscribers.remove(deliver)

    def _run(self) -> None:
        since, failures = None, 0
        while True:
            with self.lock:
                if not self.subscribers:
                    self.thread = self.close_stream = None
                    return
                if since is None:
                    since = self.opening_since
            try:
                with engine.on(self.engine_name):
                    close, events = object_events(since)
                with self.lock:
                    self.close_stream = close
                if failures:
                    self._deliver(RESYNC)
                failures = 0
                for event in events:
                    since = event.get("time", since)
                    self._deliver({**event, RECEIVED: time.monotonic()})
            except Exception as error:  # a closed response raises from deep in urllib3, too
                log.info("events of %s: %s", self.engine_name, getattr(error, "message", error))
                failures += 1
                time.sleep(BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS)) - 1])


_readers: dict[str, EventReader] = {}
_readers_lock = threading.Lock()


def reader(engine_name: str) -> EventReader:
    with _readers_lock:
        return _readers.setdefault(engine_name, EventReader(engine_name))
