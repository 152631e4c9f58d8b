"""How long Dockboard takes to recover from a fault, against the thing that failed, in one run.

Usage (as root, nothing else using the engine): .venv/bin/python bench/faults.py [--repeat 3]

Dockboard runs under uvicorn as `make run` runs it, and a signed-in client asks a page every
50 ms while the fault lasts, and so does a raw client of the service that failed (the engine's
ping, a PostgreSQL connection). Reported: how long after the raw client Dockboard's page answers
200 again (what Dockboard adds to the outage), and what the page answered meanwhile.
- dockerd restarted (SIGTERM, then started with the same command line): the container list.
- PostgreSQL stopped for a second (when DOCKBOARD_DATABASE_URL is set): the teams page.
- A hanging engine (accepts connections, never answers), added as an engine: how long its page
  takes to answer 503, against DOCKBOARD_DOCKER_TIMEOUT.
- The registry stopped mid-pull (behind a 1 MB/s link) and started again with what it held: how
  long the engine takes to finish the pull once it is back (its own retries), and how long after
  the engine has the image Dockboard's pull job says it succeeded.
"""

import argparse
import collections
import contextlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import psycopg
import short
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from support import LABEL, ROOT, administrator, dockboard_server, engine, signed_in_cookie

from images.models import PullJob
from tests.harness.database import database_url
from tests.harness.engine import restart_engine
from tests.harness.images import build_layered_image, push
from tests.harness.registry import free_port, loopback_registry
from tests.harness.throttle import throttled_proxy

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


class Poller:
    """Asks ``answer`` again and again from now on, and keeps when each answer came."""

    def __init__(self, answer: Callable[[], object]) -> None:
        self.answer = answer
        self.answers: list[tuple[float, object]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            answer = self.answer()
            self.answers.append((time.monotonic(), answer))
            time.sleep(POLL_SECONDS)

    def first_good(self, good: object, after: float = 0.0, past_a_bad_one: bool = False) -> float:
        seen_bad = not past_a_bad_one
        for when, answer in list(self.answers):
            if answer != good:
                seen_bad = True
            elif seen_bad and when > after:
                return when
        return 0.0


def recovery(
    fault: Callable[[], None], raw: Callable[[], bool], page: Callable[[], int]
) -> tuple[float, list[int]]:
    """Seconds from the raw service answering again to Dockboard's page answering 200 again
    (a request made during the fault counts when it is answered), and what the page answered
    meanwhile."""
    raw_poller, page_poller = Poller(raw), Poller(page)
    fault()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        raw_back = raw_poller.first_good(True, past_a_bad_one=True)
        page_back = raw_back and page_poller.first_good(200, after=raw_back)
        if page_back:
            break
        time.sleep(POLL_SECONDS)
    else:
        raise RuntimeError("did not recover")
    for poller in (raw_poller, page_poller):
        poller.stop.set()
        poller.thread.join()
    meanwhile = [status for when, status in page_poller.answers if when <= page_back]
    return page_back - raw_back, meanwhile


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
    """Stopped for a second, as an upgrade or a crash would take it away, then started."""
    port = str(settings.DATABASES["default"]["PORT"] or 5432)
    for line in subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout.splitlines():
        version, name, cluster_port = line.split()[:3]
        if cluster_port == port:
            subprocess.run(["pg_ctlcluster", version, name, "stop", "-m", "fast"], check=True)
            time.sleep(1)
            subprocess.run(["pg_ctlcluster", version, name, "start"], check=True)
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


def report(name: str, seconds: list[float], meanwhile: list[int] | None = None) -> None:
    ms = [f"{s * 1000:.0f}" for s in seconds]
    line = f"{name}: median {statistics.median(seconds) * 1000:.0f} ms (runs: {', '.join(ms)})"
    if meanwhile is not None:
        counts = collections.Counter(meanwhile)
        line += "; the page answered meanwhile " + ", ".join(
            f"{status or 'no answer'} x {count}" for status, count in sorted(counts.items())
        )
    print(line)


def recoveries(
    name: str, repeat: int, fault: Callable[[], None], raw: Callable[[], bool], page: Callable
) -> None:
    runs = [recovery(fault, raw, page) for _ in range(repeat)]
    report(name, [seconds for seconds, _ in runs], [status for _, seen in runs for status in seen])


def when(condition: Callable[[], object], timeout: float = 120) -> float:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        time.sleep(POLL_SECONDS)
    return time.monotonic()


def has_image(client, reference: str) -> bool:
    try:
        client.images.get(reference)
        return True
    except docker.errors.ImageNotFound:
        return False


def one_outage(
    browser: Client, client, pulled: str, port: int, storage: Path
) -> tuple[float, float]:
    with loopback_registry(port=port, root=storage):
        response = browser.post("/engines/local/images/pull/", {"reference": pulled})
        job = PullJob.objects.filter(pk=response["Location"].split("/")[-2])
        when(lambda: "Downloading" in str(job.get().layers))
        time.sleep(1)  # mid-layer: 8 MB at 1 MB/s
    when(lambda: "Retrying" in str(job.get().layers))
    with loopback_registry(port=port, root=storage):
        back = time.monotonic()
        pulled_at = when(lambda: has_image(client, pulled))
        done_at = when(lambda: not job.get().is_active)
    assert job.get().state == PullJob.State.SUCCEEDED, job.get().error
    return pulled_at - back, done_at - pulled_at


def registry_outages(client, repeat: int) -> None:
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(administrator("bench-faults"))
    worker = subprocess.Popen([sys.executable, "-m", "django", "taskworker"], cwd=ROOT)
    storage, port = Path(tempfile.mkdtemp(prefix="dockboard-bench-registry-")), free_port()
    engine_took, job_after = [], []
    try:
        with loopback_registry(port=port, root=storage) as address:
            reference = f"{address}/dockboard-bench/cut:latest"
            image_id = build_layered_image(client, reference, LABEL, 1, 8_000_000)
            push(client, reference)
            client.images.remove(image_id, force=True)
        with throttled_proxy(f"127.0.0.1:{port}", 1_000_000) as proxy:
            pulled = reference.replace(address, proxy)
            for _ in range(repeat):
                took, after = one_outage(browser, client, pulled, port, storage)
                engine_took.append(took)
                job_after.append(after)
                client.images.remove(image_id, force=True)
    finally:
        worker.terminate()
        worker.wait()
        shutil.rmtree(storage, ignore_errors=True)
    report("registry back: the engine finishes the pull (its own retries) in", engine_took)
    report("registry back: the pull job says succeeded after the engine has the image", job_after)


def main(args: argparse.Namespace) -> None:
    client = engine()
    cookie = signed_in_cookie()
    with dockboard_server() as (url, _pid):

        def status(path: str) -> Callable[[], int]:
            return lambda: page_status(url + path, cookie)

        listing = status("/engines/local/containers/")
        assert listing() == 200, "the container list does not answer"
        recoveries(
            "dockerd restarted: the container list answers again after the engine's ping, by",
            args.repeat,
            lambda: restart_engine(client),
            engine_answers(client),
            listing,
        )
        if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
            recoveries(
                "PostgreSQL stopped for 1 s: the teams page answers again after PostgreSQL, by",
                args.repeat,
                restart_postgresql,
                postgresql_answers,
                status("/teams/"),
            )
            connection.close()  # this process's own, from before the restarts
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
    registry_outages(client, args.repeat)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    main(short.parse(parser, repeat=1))
