"""A real Docker Engine for tests: the one that answers, else a dockerd started here (as root)."""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import docker


def _answers(client: docker.DockerClient) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


@contextmanager
def running_engine(timeout: float = 60.0) -> Iterator[docker.DockerClient]:
    client = docker.from_env(timeout=60)
    started: subprocess.Popen | None = None
    if not _answers(client):
        if os.geteuid() != 0 or not shutil.which("dockerd"):
            raise RuntimeError(
                "No Docker Engine answers at DOCKER_HOST or the local socket, and this user cannot "
                "start dockerd. Start one (see README) and run the tests again."
            )
        log = tempfile.NamedTemporaryFile(prefix="dockerd-", suffix=".log", delete=False)  # noqa: SIM115
        started = subprocess.Popen(["dockerd"], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not _answers(client):
            if started.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dockerd did not start; see {log.name}")
            time.sleep(0.2)
    try:
        yield client
    finally:
        client.close()
        if started is not None:
            started.terminate()
            started.wait(timeout=30)


def remove_labelled(client: docker.DockerClient, label: str) -> None:
    """Remove every container, then every image, carrying ``label`` (``key=value``)."""
    for container in client.containers.list(all=True, filters={"label": label}):
        container.remove(force=True, v=True)
    images = client.images.list(all=True, filters={"label": label})
    for image in sorted(images, key=lambda i: i.attrs["Created"], reverse=True):  # children first
        with contextlib.suppress(docker.errors.NotFound):
            client.images.remove(image.id, force=True)


def restart_engine(client: docker.DockerClient, timeout: float = 60.0) -> None:
    """Stop the local dockerd as `systemctl restart docker` would (SIGTERM: it stops its
    containers and exits) and start it again with the same command line."""
    pid = int(Path("/var/run/docker.pid").read_text())
    command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:-1]
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _answers(client) or Path("/var/run/docker.pid").exists():
        if time.monotonic() > deadline:
            raise RuntimeError("dockerd did not stop")
        time.sleep(0.1)
    log = tempfile.NamedTemporaryFile(prefix="dockerd-", suffix=".log", delete=False)  # noqa: SIM115
    # A session of its own: the engine outlives this test run, as the one it replaced would.
    subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    while not _answers(client):
        if time.monotonic() > deadline:
            raise RuntimeError(f"dockerd did not start again; see {log.name}")
        time.sleep(0.2)
