"""An engine that can go away and come back: a unix socket that forwards to the real engine's,
stopped (every connection closed, the socket gone) and started again by the test."""

import contextlib
import os
import selectors
import socket
import socketserver
import tempfile
import threading
from pathlib import Path

ENGINE_SOCKET = "/var/run/docker.sock"


class EngineProxy:
    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="dbproxy-", dir="/tmp")) / "docker.sock"
        self.server: socketserver.ThreadingUnixStreamServer | None = None
        self.open: set[socket.socket] = set()

    @property
    def address(self) -> str:
        return f"unix://{self.path}"

    def start(self) -> None:
        proxy = self

        class Forward(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                engine = socket.socket(socket.AF_UNIX)
                engine.connect(ENGINE_SOCKET)
                proxy.open |= {self.request, engine}
                with selectors.DefaultSelector() as selector:
                    selector.register(self.request, selectors.EVENT_READ, engine)
                    selector.register(engine, selectors.EVENT_READ, self.request)
                    while True:
                        for key, _events in selector.select():
                            try:
                                data = key.fileobj.recv(65536)
                                if not data:
                                    return
                                key.data.sendall(data)
                            except OSError:
                                return

        self.server = socketserver.ThreadingUnixStreamServer(str(self.path), Forward)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """The engine is gone: its socket removed and every connection to it closed."""
        if self.server is None:
            return
        self.server.shutdown()
        self.server.server_close()
        self.server = None
        for end in list(self.open):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
                end.close()
        self.open.clear()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
