"""Shared set-up for the benchmarks: a real Dockboard server, a signed-in session, containers.

Everything created is labelled ``dockboard-bench`` and removed at the end.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = tempfile.mkdtemp(prefix="dockboard-bench-")
os.environ["DOCKBOARD_DATA_DIR"] = DATA_DIR
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

import django  # noqa: E402

from dashboard import data_dir  # noqa: E402

data_dir.prepare(Path(DATA_DIR))

django.setup()

import docker  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402

from dashboard.management.commands.rundashboard import web_server_command  # noqa: E402
from tests.harness.images import build_busybox_image  # noqa: E402
from tests.harness.registry import free_port  # noqa: E402

LABEL = {"dockboard-bench": "1"}
IMAGE = "dockboard-bench/busybox:latest"


def engine() -> docker.DockerClient:
    return docker.from_env(timeout=120)


def busybox_image(client: docker.DockerClient) -> str:
    try:
        client.images.get(IMAGE)
    except docker.errors.ImageNotFound:
        build_busybox_image(client, IMAGE, LABEL)
    return IMAGE


def copy_image(image: str, to: docker.DockerClient) -> None:
    """``image`` of the local engine on another engine (no registry needed): saved and loaded."""
    with tempfile.TemporaryDirectory() as folder:
        saved = Path(folder) / "image.tar"
        subprocess.run(["docker", "save", image, "-o", str(saved)], check=True)
        to.images.load(saved.read_bytes())


def administrator(username: str) -> object:
    """A superuser in the benchmark's database: sees and may do what the raw engine does."""
    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def signed_in_cookie(user: object = None) -> str:
    """A real session of a real user (the benchmark's administrator unless given)."""
    user = user or administrator("bench")
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


@contextmanager
def dockboard_server() -> Iterator[tuple[str, int]]:
    """Dockboard served by uvicorn, as `make run` does; yields (base URL, server pid)."""
    port = free_port()
    command = [*web_server_command("127.0.0.1", port), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/accounts/login/", timeout=1).close()  # noqa: S310
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)
    try:
        yield url, process.pid
    finally:
        process.terminate()
        process.wait()


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def sleeping_containers(client: docker.DockerClient, count: int, name: str = "") -> list:
    """``count`` running busybox containers (named ``name0``, ``name1``… when ``name`` is given)."""
    image = busybox_image(client)
    return [
        client.containers.run(
            image, "sleep 3600", detach=True, labels=LABEL, init=True, name=name and f"{name}{n}"
        )
        for n in range(count)
    ]


def remove_bench_containers(client: docker.DockerClient) -> None:
    for container in client.containers.list(all=True, filters={"label": "dockboard-bench=1"}):
        container.remove(force=True)
