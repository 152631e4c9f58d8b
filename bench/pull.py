"""A pull through Dockboard (form → task worker → succeeded) against `docker pull`, in one run.

Usage: .venv/bin/python bench/pull.py [--layers 5] [--megabytes 40] [--rounds 5] [--interval 1]
(on SQLite in a temporary folder; set DOCKBOARD_DATABASE_URL to run it on PostgreSQL)

A multi-layer image of random bytes is built, pushed to a loopback registry and removed; then
each round pulls it cold with the CLI and with Dockboard, alternating, and the medians compare.
"""

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time

import docker
import short
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from support import LABEL, ROOT, administrator, engine

from images.models import PullJob
from tests.harness.images import build_layered_image, push
from tests.harness.registry import loopback_registry

# Where Dockboard's time goes, per pull: the form's request, the job waiting for the worker, and
# the worker's run from start to the job's last write.
STAGES: dict[str, list[float]] = {"form": [], "pick-up": [], "worker run": []}


def cold(client, reference: str) -> None:
    with contextlib.suppress(docker.errors.ImageNotFound):
        client.images.remove(client.images.get(reference).id, force=True)


def cli_pull(reference: str) -> float:
    started = time.perf_counter()
    subprocess.run(["docker", "pull", "-q", reference], check=True, capture_output=True)
    return time.perf_counter() - started


def dockboard_pull(browser: Client, reference: str) -> float:
    """From the form's submission to the moment the worker recorded the job as succeeded (read
    back slowly, so that watching takes no CPU from the pull)."""
    started = timezone.now()
    response = browser.post("/engines/local/images/pull/", {"reference": reference})
    STAGES["form"].append((timezone.now() - started).total_seconds())
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    while (job := PullJob.objects.get(pk=job_id)).is_active:
        time.sleep(0.5)
    assert job.state == "succeeded", job.error
    elapsed = (job.finished_at - started).total_seconds()
    STAGES["pick-up"].append((job.started_at - job.created_at).total_seconds())
    STAGES["worker run"].append((job.finished_at - job.started_at).total_seconds())
    return elapsed


def main(args) -> None:
    client = engine()
    call_command("migrate", verbosity=0)
    user = administrator("bench-pull")
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(user)
    worker = subprocess.Popen(
        [sys.executable, "-m", "django", "taskworker", "--interval", str(args.interval)],
        cwd=ROOT,
        env={**os.environ},
    )
    try:
        with loopback_registry() as registry:
            reference = f"{registry}/dockboard-bench/layered:latest"
            size = args.layers * args.megabytes
            print(f"building and pushing {args.layers} layers x {args.megabytes} MB = {size} MB…")
            build_layered_image(client, reference, LABEL, args.layers, args.megabytes * 1_000_000)
            push(client, reference)
            ours, cli = [], []
            for _ in range(args.rounds):
                cold(client, reference)
                cli.append(cli_pull(reference))
                cold(client, reference)
                ours.append(dockboard_pull(browser, reference))
            cold(client, reference)
        theirs, mine = statistics.median(cli), statistics.median(ours)
        print(f"`docker pull`: median {theirs:.2f} s   Dockboard: median {mine:.2f} s"
              f"   ratio {mine / theirs:.3f}x   ({args.rounds} cold pulls each)")  # fmt: skip
        stages = ", ".join(
            f"{name} {statistics.median(t) * 1000:.0f} ms" for name, t in STAGES.items()
        )
        print(f"Dockboard's medians by stage: {stages} (fallback poll {args.interval} s)")
    finally:
        worker.terminate()
        worker.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--layers", type=int, default=5)
    parser.add_argument("--megabytes", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--interval", type=float, default=settings.DOCKBOARD_WORKER_INTERVAL,
        help="the worker's fallback poll interval (a queued pull wakes it)",
    )  # fmt: skip
    main(short.parse(parser, layers=2, megabytes=4, rounds=1))
