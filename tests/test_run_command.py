"""`make run`'s supervisor: a setup link, server and worker together, Ctrl+C stops both."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.management.commands.rundashboard import split_bind
from dashboard.ops.supervisor import run_together
from tests.harness.redis import loopback_redis
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


def dashboard_env(tmp_path: Path, port: int, **settings: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DOCKBOARD_DATA_DIR": str(tmp_path),
        "DOCKBOARD_BIND": f"127.0.0.1:{port}",
        "DOCKBOARD_DOCKER_API": f"127.0.0.1:{free_port()}",
    }
    for name in ("DJANGO_SETTINGS_MODULE", "DOCKBOARD_DATABASE_URL", "DOCKBOARD_REDIS_URL"):
        env.pop(name, None)  # never the developer's own database
    return {**env, **settings}


@pytest.fixture
def dashboard_process(tmp_path: Path):
    port = free_port()
    env = dashboard_env(tmp_path, port)
    manage = [sys.executable, str(ROOT / "manage.py")]
    # What `make run` does first: the data directory and its secret key, then the migrations.
    subprocess.run([sys.executable, "-m", "dashboard.data_dir"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        [*manage, "rundashboard"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.docker_api = env["DOCKBOARD_DOCKER_API"]
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


def refusal_of(url: str, timeout: float = 20) -> urllib.error.HTTPError:
    """The error answer of a server that is starting."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310
        except urllib.error.HTTPError as answer:
            return answer
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
        else:
            raise AssertionError(f"{url} answered without a token")


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
        next(
            w
            for w in (b"uvicorn", b"taskworker", b"reaplabs", b"dockerapi", b"collectstats")
            if w in c
        )
        for c in words
    )
    # server, worker, lab reaper, stats collector, and the Engine API endpoint (which asks for
    # a token)
    assert programs == [b"collectstats", b"dockerapi", b"reaplabs", b"taskworker", b"uvicorn"]
    refused = refusal_of(f"http://{process.docker_api}/_ping")
    assert refused.code == 401 and b"personal access token" in refused.read()

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


@pytest.fixture
def redis_settings() -> Iterator[dict[str, str]]:
    with loopback_redis() as url:
        yield {"DOCKBOARD_REDIS_URL": url, "DOCKBOARD_WEB_PROCESSES": "2"}


def test_several_web_processes_and_workers_share_one_address(
    tmp_path: Path, redis_settings: dict[str, str]
) -> None:
    port = free_port()
    env = dashboard_env(tmp_path, port, DOCKBOARD_TASK_WORKERS="2", **redis_settings)
    subprocess.run([sys.executable, "-m", "dashboard.data_dir"], env=env, check=True, cwd=ROOT)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True)
    process = subprocess.Popen([*manage, "rundashboard"], env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/accounts/login/")
        children = children_of(process.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children]
        assert sum(b"taskworker" in c for c in commands) == 2
        uvicorn = next(p for p, c in zip(children, commands, strict=True) if b"uvicorn" in c)
        assert len(servers_under(uvicorn)) == 2  # uvicorn's manager runs two servers
        for _ in range(4):
            wait_for_http(f"http://127.0.0.1:{port}/accounts/login/")
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    assert not servers_under(uvicorn)


def command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:  # it has just exited
        return b""


def servers_under(manager: int) -> list[int]:
    """uvicorn's server processes (multiprocessing's spawned children, not its tracker)."""
    deadline = time.monotonic() + 20
    while True:
        found = [pid for pid in children_of(manager) if b"spawn_main" in command_line(pid)]
        if len(found) >= 2 or time.monotonic() > deadline or not alive(manager):
            return found
        time.sleep(0.1)


def test_several_web_processes_need_redis(tmp_path: Path) -> None:
    env = dashboard_env(tmp_path, free_port(), DOCKBOARD_WEB_PROCESSES="2")
    subprocess.run([sys.executable, "-m", "dashboard.data_dir"], env=env, check=True, cwd=ROOT)
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "rundashboard"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "DOCKBOARD_WEB_PROCESSES > 1 needs DOCKBOARD_REDIS_URL" in done.stderr


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
