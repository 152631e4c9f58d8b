"""A slow link on loopback: a TCP proxy to a real server that limits the bytes per second it
passes back (and, if asked, those it passes on), so that a pull from the real registry, or a
push to it, lasts long enough to watch, cancel or kill."""

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.harness.registry import free_port

CHUNK = 16 * 1024


def _pump(source: socket.socket, target: socket.socket, rate: float | None) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(CHUNK):
            target.sendall(data)
            if rate:
                time.sleep(len(data) / rate)
    for end in (source, target):
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)


@contextmanager
def throttled_proxy(
    upstream: str, bytes_per_second: float, *, upload: float | None = None
) -> Iterator[str]:
    """Yield ``127.0.0.1:PORT`` forwarding to ``upstream`` (``host:port``) at the given rate,
    and what is sent to it at ``upload`` bytes a second (None: as fast as it comes)."""
    host, _, port = upstream.rpartition(":")
    listener = socket.create_server(("127.0.0.1", free_port()))
    stopped = threading.Event()

    def serve() -> None:
        while not stopped.is_set():
            try:
                client, _address = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection((host, int(port)))
            except OSError:  # the server is gone: so is this connection, as it would be directly
                client.close()
                continue
            threading.Thread(target=_pump, args=(client, server, upload), daemon=True).start()
            threading.Thread(
                target=_pump, args=(server, client, bytes_per_second), daemon=True
            ).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stopped.set()
        listener.close()
