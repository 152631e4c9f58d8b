"""`make run`'s supervisor: a setup link, server and worker together, Ctrl+C stops both."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard.management.commands.rundashboard import split_bind
from dashboard.supervisor import run_together
from tests.harness.registry import free_port

ROOT = Path(__file__).resolve().parent.parent


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


@pytest.fixture
def dashboard_process(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "DOCKBOARD_DATA_DIR": str(tmp_path), "DOCKBOARD_BIND": f"127.0.0.1:{port}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DOCKBOARD_DATABASE_URL", None)  # never the developer's own database
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        [*manage, "rundashboard"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield process, port
    if process.poll() is None:
        process.kill()
        process.wait()


def wait_for_http(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_setup_link_then_ctrl_c_stops_all_its_processes(dashboard_process) -> None:
    process, port = dashboard_process
    first_line = process.stdout.readline()
    link = process.stdout.readline().strip()
    assert "No administrator yet" in first_line
    assert link.startswith(f"http://127.0.0.1:{port}/setup/")
    wait_for_http(link)
    children = children_of(process.pid)
    words = [Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in children]
    programs = sorted(
        next(w for w in (b"uvicorn", b"taskworker", b"reaplabs") if w in c) for c in words
    )
    assert programs == [b"reaplabs", b"taskworker", b"uvicorn"]  # server, worker, lab reaper

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    assert not any(alive(pid) for pid in children)


def test_when_the_worker_dies_the_server_stops_too(dashboard_process) -> None:
    process, port = dashboard_process
    wait_for_http(f"http://127.0.0.1:{port}/accounts/login/")
    children = children_of(process.pid)
    worker = next(p for p in children if b"taskworker" in Path(f"/proc/{p}/cmdline").read_bytes())
    os.kill(worker, signal.SIGKILL)
    assert process.wait(timeout=20) != 0
    assert "the task worker exited" in process.stderr.read()
    assert not any(alive(pid) for pid in children)


def test_run_together_stops_the_others_when_one_exits() -> None:
    started = time.monotonic()
    code = run_together({"sleeper": ["sleep", "60"], "quitter": ["sh", "-c", "exit 3"]})
    assert code == 1
    assert time.monotonic() - started < 15


@pytest.mark.parametrize(
    ("bind", "expected"),
    [
        ("127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("[::1]:9000", ("::1", 9000)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),  # noqa: S104,
    ],
)
def test_bind_addresses(bind: str, expected: tuple[str, int]) -> None:
    assert split_bind(bind) == expected
