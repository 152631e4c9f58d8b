"""A build through Dockboard (form → gate → task worker → succeeded) against `docker build`
with the same builder (the engine's own, DOCKER_BUILDKIT=0), in one run.

Usage: .venv/bin/python bench/builds.py [--megabytes 8] [--rounds 5]

Each build makes a 3-layer image on the bench's busybox image: COPY of a file of --megabytes
MB, a RUN writing as much, a COPY of a small file; every build's first step differs, so that
neither side finds the other's layers in the build cache. A team member builds through the
gate (the allow-list names the base and the tag); the time runs from the form's submission to
the worker's last write of the job. Medians and their ratio.
"""

import argparse
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import short
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from support import DATA_DIR, ROOT, busybox_image, engine

from dashboard.models import Membership, Team
from images.models import BuildJob

TAG = "dockboard-bench/built"
# Where Dockboard's time goes, per build: the form's request (the gate, the context written),
# the job waiting for the worker, and the worker's run from start to the job's last write.
STAGES: dict[str, list[float]] = {"form": [], "pick-up": [], "worker run": []}


def dockerfile(base: str, round_id: str, megabytes: int) -> str:
    return (
        f"FROM {base}\nLABEL dockboard-bench=1\nCOPY big.bin /big.bin\n"
        f"RUN echo {round_id} > /round && dd if=/dev/urandom of=/made.bin bs=1M "
        f"count={megabytes} 2>/dev/null\nCOPY small.txt /small.txt\n"
    )


def context_files(megabytes: int) -> dict[str, bytes]:
    return {"big.bin": os.urandom(megabytes * 1024 * 1024), "small.txt": b"small\n"}


def cli_build(text: str, files: dict[str, bytes], tag: str) -> float:
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as folder:
        for name, data in {**files, "Dockerfile": text.encode()}.items():
            Path(folder, name).write_bytes(data)
        started = time.perf_counter()
        subprocess.run(
            ["docker", "build", "-q", "-t", tag, folder],
            check=True, capture_output=True, env={**os.environ, "DOCKER_BUILDKIT": "0"},
        )  # fmt: skip
        return time.perf_counter() - started


def dockboard_build(
    browser: Client, team: Team, text: str, files: dict[str, bytes], tag: str
) -> float:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    started = timezone.now()
    response = browser.post("/engines/local/images/build/", {
        "team": team.pk, "tag": tag, "dockerfile": text, "build_args": "", "build": "1",
        "context": SimpleUploadedFile("context.tar", buffer.getvalue()),
    })  # fmt: skip
    assert response.status_code == 302, response.content[-500:]
    STAGES["form"].append((timezone.now() - started).total_seconds())
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    while (job := BuildJob.objects.get(pk=job_id)).state in BuildJob.ACTIVE:
        time.sleep(0.05)
    assert job.state == "succeeded", (job.error, job.log[-400:])
    STAGES["pick-up"].append((job.started_at - job.created_at).total_seconds())
    STAGES["worker run"].append((job.finished_at - job.started_at).total_seconds())
    return (job.finished_at - started).total_seconds()


def main(args: argparse.Namespace) -> None:
    client = engine()
    base = busybox_image(client)
    call_command("migrate", verbosity=0)
    team, _ = Team.objects.get_or_create(
        name="bench-builds", defaults={"allowed_images": "dockboard-bench/**"}
    )
    member, _ = get_user_model().objects.get_or_create(username="bench-builder")
    Membership.objects.get_or_create(user=member, team=team)
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(member)
    worker = subprocess.Popen([sys.executable, "-m", "django", "taskworker"], cwd=ROOT)
    files = context_files(args.megabytes)
    cli, ours = [], []
    try:
        for n in range(args.rounds):
            cli.append(
                cli_build(
                    dockerfile(base, f"cli-{n}-{time.time()}", args.megabytes), files, f"{TAG}:cli"
                )
            )
            text = dockerfile(base, f"dockboard-{n}-{time.time()}", args.megabytes)
            ours.append(dockboard_build(browser, team, text, files, f"{TAG}:dockboard"))
    finally:
        worker.terminate()
        worker.wait()
        for tag in (f"{TAG}:cli", f"{TAG}:dockboard"):
            subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)
        subprocess.run(["docker", "image", "prune", "-f", "--filter", "label=dockboard-bench=1"],
                       capture_output=True)  # fmt: skip
    theirs, mine = statistics.median(cli), statistics.median(ours)
    made = f"{args.megabytes} MB copied, {args.megabytes} MB made"
    print(f"3-layer build ({made}), {args.rounds} rounds")
    print(f"  `docker build`: median {theirs:.2f} s   Dockboard: median {mine:.2f} s"
          f"   ratio {mine / theirs:.3f}")  # fmt: skip
    stages = ", ".join(f"{name} {statistics.median(t) * 1000:.0f} ms" for name, t in STAGES.items())
    print(f"  Dockboard's medians by stage: {stages}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    main(short.parse(parser, megabytes=1, rounds=1))
