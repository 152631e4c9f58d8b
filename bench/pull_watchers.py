"""Pull progress with many tabs open: the web server's database reads of the job while the worker
pulls, and how late the pull's end reaches the tabs, for 1, 10 and 50 tabs, in one run.

Usage: .venv/bin/python bench/pull_watchers.py [--tabs 1,10,50] [--layers 4] [--megabytes 4]
(SQLite and the in-process channel layer; set DOCKBOARD_DATABASE_URL and DOCKBOARD_REDIS_URL to
run it on PostgreSQL and Redis, where the worker's own messages reach the tabs)

The web server runs in this process (uvicorn in a thread, as the tests run it), so that every
query it makes is counted; the task worker is a process of its own, as in production. A layered
image is pulled cold from a loopback registry throttled to --rate bytes/s, so each pull lasts
seconds. "least gap" is the shortest time between two reads of the job. For comparison, before
the pages were live each tab asked for the progress fragment every 0.5 s, one read of the job
each time ("polling did").
"""

import argparse
import asyncio
import contextlib
import itertools
import os
import statistics
import subprocess
import sys
import threading
import time

import docker
import short
from django.db.backends.signals import connection_created
from support import LABEL, ROOT, administrator, engine, signed_in_cookie
from websockets.asyncio.client import connect

from dashboard.asgi import application
from images.models import PullJob
from images.tasks import pull_image
from tests.harness.images import build_layered_image, push
from tests.harness.registry import loopback_registry
from tests.harness.server import live_asgi_server
from tests.harness.throttle import throttled_proxy

reads: list[float] = []
counting = threading.Event()


def count_job_reads(execute, sql, params, many, context):
    if counting.is_set() and sql.lstrip().upper().startswith("SELECT") and "pulljob" in sql:
        reads.append(time.monotonic())
    return execute(sql, params, many, context)


def instrument(sender, connection, **kwargs) -> None:
    if count_job_reads not in connection.execute_wrappers:
        connection.execute_wrappers.append(count_job_reads)


async def watch(url: str, cookie: str, job: PullJob, tabs: int) -> tuple[list[float], float]:
    """Open ``tabs`` sockets on the job, start it, and return when each tab got its end: the
    wall-clock time (like the worker's ``finished_at``) at which each tab received it, and the
    seconds watched (from the job's start to the last tab's end)."""
    headers = {"Cookie": cookie, "Origin": url}
    path = f"{url.replace('http', 'ws', 1)}/ws/images/pulls/{job.pk}/"
    sockets = [await connect(path, additional_headers=headers) for _ in range(tabs)]
    for socket in sockets:
        await socket.recv()  # the state on connecting
    counting.set()
    watched = time.monotonic()
    await asyncio.to_thread(pull_image.enqueue, str(job.pk))

    async def until_end(socket) -> float:
        while 'data-state="succeeded"' not in await socket.recv():
            pass
        return time.time()

    ends = await asyncio.gather(*(until_end(socket) for socket in sockets))
    counting.clear()
    for socket in sockets:
        await socket.close()
    return ends, time.monotonic() - watched


def report(tabs: int, watched: float, lags: list[float]) -> None:
    halves = watched / 0.5
    p50, p95 = statistics.median(lags), lags[max(0, round(0.95 * len(lags)) - 1)]
    gaps = [b - a for a, b in itertools.pairwise(reads)]
    gap = f"{min(gaps) * 1000:.0f} ms" if gaps else "—"
    print(f"{tabs:>5} {watched:>10.1f} {len(reads):>10} {gap:>11}"
          f" {int(tabs * halves):>12} {p50 * 1000:>9.0f} ms {p95 * 1000:>3.0f} ms"
          f" {lags[-1] * 1000:>3.0f} ms")  # fmt: skip


def cold(client: docker.DockerClient, reference: str) -> None:
    with contextlib.suppress(docker.errors.ImageNotFound):
        client.images.remove(client.images.get(reference).id, force=True)


def main(args) -> None:
    client = engine()
    user = administrator("bench-pull-watchers")
    cookie = signed_in_cookie(user)
    connection_created.connect(instrument)
    worker = subprocess.Popen(
        [sys.executable, "-m", "django", "taskworker"], cwd=ROOT, env=os.environ
    )
    layer = "Redis" if os.environ.get("DOCKBOARD_REDIS_URL") else "in-process"
    print(f"channel layer: {layer}; {args.layers} layers x {args.megabytes} MB at {args.rate} B/s")
    print(f"{'tabs':>5} {'watched s':>10} {'job reads':>10} {'least gap':>11}"
          f" {'polling did':>12} {'end→tab p50':>12} {'p95':>6} {'max':>6}")  # fmt: skip
    try:
        with loopback_registry() as registry, throttled_proxy(registry, args.rate) as slow:
            reference = f"{registry}/dockboard-bench/watched:latest"
            build_layered_image(client, reference, LABEL, args.layers, args.megabytes * 1_000_000)
            push(client, reference)
            cold(client, reference)
            slow_reference = reference.replace(registry, slow)
            with live_asgi_server(application) as url:
                for tabs in args.tabs:
                    cold(client, slow_reference)
                    reads.clear()
                    job = PullJob.objects.create(reference=slow_reference, requested_by=user)
                    ends, watched = asyncio.run(watch(url, cookie, job, tabs))
                    job.refresh_from_db()
                    assert job.state == "succeeded", job.error
                    lags = sorted(end - job.finished_at.timestamp() for end in ends)
                    report(tabs, watched, lags)
            cold(client, slow_reference)
            cold(client, reference)
    finally:
        worker.terminate()
        worker.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--tabs", type=lambda s: [int(n) for n in s.split(",")], default=[1, 10, 50]
    )
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--megabytes", type=int, default=4)
    parser.add_argument("--rate", type=int, default=2_000_000)
    main(short.parse(parser, tabs=[1, 5], layers=2, megabytes=2))
