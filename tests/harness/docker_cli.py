"""The real `docker` CLI against Dockboard's Engine API endpoint (served in a thread of the test
process, on the test database) or against the engine's own socket, to compare the two."""

import asyncio
import contextlib
import json
import os
import select
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.harness.registry import free_port

ENGINE_SOCKET = "unix:///var/run/docker.sock"


@contextmanager
def live_endpoint() -> Iterator[str]:
    """The endpoint on a free loopback port (its ``tcp://`` address), and on the socket of each
    lab session with a workstation."""
    from dockerapi.server import serve

    port = free_port()
    loop = asyncio.new_event_loop()
    served = loop.create_task(serve("127.0.0.1", port))

    def run() -> None:
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(served)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("the Engine API endpoint did not start") from None
            time.sleep(0.05)
    try:
        yield f"tcp://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(served.cancel)
        thread.join(timeout=10)


def cli_config(directory: Path, token: str) -> Path:
    """A DOCKER_CONFIG directory that sends ``token``, as the README tells people to set up."""
    directory.mkdir(parents=True, exist_ok=True)
    config = {"HttpHeaders": {"Authorization": f"Bearer {token}"}} if token else {}
    (directory / "config.json").write_text(json.dumps(config))
    return directory


def cli_env(host: str, config: Path) -> dict[str, str]:
    return {**os.environ, "DOCKER_HOST": host, "DOCKER_CONFIG": str(config)}


def docker(
    host: str, config: Path, *args: str, input: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """`docker ARGS` with this host and config; its output, whatever its exit code."""
    return subprocess.run(
        ["docker", *args],
        env=cli_env(host, config),
        capture_output=True,
        text=True,
        input=input,
        timeout=timeout,
    )


class Pty:
    """A command in a pseudo-terminal, as a person at a shell runs `docker run -it`."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.fd, terminal = os.openpty()
        # A session of its own: signals typed here reach the command alone.
        self.process = subprocess.Popen(
            argv, stdin=terminal, stdout=terminal, stderr=terminal, env=env, start_new_session=True
        )
        os.close(terminal)
        self.output = b""

    def read_until(self, wanted: bytes, seconds: float = 10.0) -> bool:
        """Read until ``wanted`` appears in the output (True), the end, or the time is up."""
        deadline = time.monotonic() + seconds
        while wanted not in self.output and time.monotonic() < deadline:
            ready, _w, _x = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the command has ended and closed the terminal
                    break
                if not chunk:
                    break
                self.output += chunk
        return wanted in self.output

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def exited(self, seconds: float = 10.0) -> int | None:
        """The exit status once the command ends within ``seconds``, else None."""
        deadline = time.monotonic() + seconds
        while self.process.poll() is None and time.monotonic() < deadline:
            self.read_until(b"\0never\0", 0.05)
        return self.process.poll()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        os.close(self.fd)
