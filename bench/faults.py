"""How long Dockboard takes to recover from a fault, against the thing that failed, in one run.

Usage (as root, nothing else using the engine): .venv/bin/python bench/faults.py [--repeat 3]

Dockboard runs under uvicorn as `make run` runs it, and a signed-in client asks a page every
50 ms while the fault lasts. For each fault, the time the raw service takes to answer again
(the engine's ping, a PostgreSQL connection) is set beside the time Dockboard's page takes to
answer 200 again; the difference is what Dockboard adds.
- dockerd restarted (SIGTERM, then started with the same command line): the container list.
- PostgreSQL restarted (when DOCKBOARD_DATABASE_URL is set): the teams page.
- A hanging engine (accepts connections, never answers), added as an engine: how long its page
  takes to answer 503, against DOCKBOARD_DOCKER_TIMEOUT.
"""

import argparse
import contextlib
import socket
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import psycopg
from django.conf import settings
from django.core.management import call_command
from support import dockboard_server, engine, signed_in_cookie

from tests.harness.database import database_url
from tests.harness.engine import restart_engine

POLL_SECONDS = 0.05


def page_status(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


class Watch:
    """Polls ``ok`` from now on; ``back`` is when it first answered again after ``failed``."""

    def __init__(self, ok: Callable[[], bool]) -> None:
        self.ok = ok
        self.failed: float | None = None
        self.back: float | None = None
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            answered, now = self.ok(), time.monotonic()
            if not answered and self.failed is None:
                self.failed = now
            if answered and self.failed is not None:
                self.back = now
                return
            time.sleep(POLL_SECONDS)

    def wait(self, timeout: float = 120) -> float:
        self.thread.join(timeout)
        self.stop.set()
        if self.back is None:
            raise RuntimeError("did not recover")
        return self.back


def recovery(fault: Callable[[], None], raw: Callable[[], bool], page: Callable[[], bool]) -> float:
    """Seconds from the raw service answering again to Dockboard's page answering again."""
    watches = Watch(raw), Watch(page)
    fault()
    raw_back, page_back = (watch.wait() for watch in watches)
    return page_back - raw_back


def engine_answers(client) -> Callable[[], bool]:
    def ok() -> bool:
        try:
            return bool(client.ping())
        except Exception:
            return False

    return ok


def postgresql_answers() -> bool:
    try:
        psycopg.connect(database_url(settings.DATABASES["default"]), connect_timeout=1).close()
        return True
    except psycopg.OperationalError:
        return False


def restart_postgresql() -> None:
    port = str(settings.DATABASES["default"]["PORT"] or 5432)
    for line in subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout.splitlines():
        version, name, cluster_port = line.split()[:3]
        if cluster_port == port:
            subprocess.run(["pg_ctlcluster", version, name, "restart", "-m", "fast"], check=True)
            return
    raise RuntimeError(f"no local PostgreSQL cluster on port {port}")


@contextlib.contextmanager
def hanging_engine() -> Iterator[str]:
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                held.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for connection in held:
            connection.close()


def report(name: str, seconds: list[float]) -> None:
    ms = [f"{s * 1000:.0f}" for s in seconds]
    print(f"{name}: median {statistics.median(seconds) * 1000:.0f} ms (runs: {', '.join(ms)})")


def main(args: argparse.Namespace) -> None:
    client = engine()
    cookie = signed_in_cookie()
    with dockboard_server() as (url, _pid):

        def ok(path: str) -> Callable[[], bool]:
            return lambda: page_status(url + path, cookie) == 200

        listing = ok("/engines/local/containers/")
        assert listing(), "the container list does not answer"
        report(
            "dockerd restarted: container list answers again after the engine's ping, by",
            [
                recovery(lambda: restart_engine(client), engine_answers(client), listing)
                for _ in range(args.repeat)
            ],
        )
        if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
            report(
                "PostgreSQL restarted: teams page answers again after PostgreSQL does, by",
                [
                    recovery(restart_postgresql, postgresql_answers, ok("/teams/"))
                    for _ in range(args.repeat)
                ],
            )
        with hanging_engine() as address:
            call_command("engine", "add", "hanging", address)
            try:
                took = []
                for _ in range(args.repeat):
                    started = time.monotonic()
                    status = page_status(f"{url}/engines/hanging/containers/", cookie)
                    took.append(time.monotonic() - started)
                    assert status == 503, status
                report(
                    f"hanging engine: its page answers 503 (engine timeout "
                    f"{settings.DOCKER_TIMEOUT:g} s) in",
                    took,
                )
            finally:
                call_command("engine", "remove", "hanging")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    main(parser.parse_args())
