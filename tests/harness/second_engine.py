"""A second, real Docker Engine beside the first: its own data, exec root, socket and bridge,
without iptables (a second dockerd with --bridge=none would delete the first one's docker0)."""

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import docker

BRIDGE = "dockb2"
BRIDGE_ADDRESS = "172.31.250.1/24"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


def _answers(address: str) -> bool:
    try:
        client = docker.DockerClient(base_url=address, version="1.41", timeout=5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


@contextmanager
def second_engine(timeout: float = 60.0) -> Iterator[str]:
    """Yield the ``unix://`` address of a second dockerd; all of it is removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="db2-", dir="/tmp"))  # short: socket paths ≤ 107 bytes
    socket_path = root / "docker.sock"
    with contextlib.suppress(subprocess.CalledProcessError):
        _ip("link", "del", BRIDGE)
    _ip("link", "add", BRIDGE, "type", "bridge")
    _ip("addr", "add", BRIDGE_ADDRESS, "dev", BRIDGE)
    _ip("link", "set", BRIDGE, "up")
    log = (root / "dockerd.log").open("w")
    process = subprocess.Popen(
        [
            "dockerd",
            "--data-root",
            str(root / "data"),
            "--exec-root",
            str(root / "exec"),
            "--pidfile",
            str(root / "docker.pid"),
            "-H",
            f"unix://{socket_path}",
            f"--bridge={BRIDGE}",
            "--iptables=false",
            "--ip6tables=false",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    address = f"unix://{socket_path}"
    try:
        deadline = time.monotonic() + timeout
        while not _answers(address):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the second dockerd did not start; see {root}/dockerd.log")
            time.sleep(0.2)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        with contextlib.suppress(subprocess.CalledProcessError):
            _ip("link", "del", BRIDGE)
        shutil.rmtree(root, ignore_errors=True)
