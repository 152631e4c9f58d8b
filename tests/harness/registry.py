"""A real registry (Debian's docker-registry) on a free loopback port."""

import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import bcrypt

from tests.harness.run import RUN_ID

if TYPE_CHECKING:
    from dashboard.models import Team


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def loopback_registry(
    timeout: float = 20.0,
    *,
    port: int | None = None,
    root: Path | None = None,
    login: tuple[str, str] | None = None,
) -> Iterator[str]:
    """Yield ``127.0.0.1:PORT`` of a running registry; the storage it made is removed
    afterwards. Given a port and a root, it is that registry started again, with what it held.
    Given a ``login`` (user, password), it lets in that user alone (htpasswd, bcrypt)."""
    binary = shutil.which("docker-registry")
    if binary is None:
        raise RuntimeError("docker-registry is not installed (apt-get install docker-registry)")
    made = root is None
    root = root or Path(tempfile.mkdtemp(prefix="dockboard-registry-"))
    root.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    config = root / "config.yml"
    config.write_text(
        "version: 0.1\n"
        "log:\n  level: error\n"
        "storage:\n"
        f"  filesystem:\n    rootdirectory: {root / 'data'}\n"
        "  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    if login is not None:
        user, password = login
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=6)).decode()
        (root / "htpasswd").write_text(f"{user}:{hashed}\n")
        with config.open("a") as more:
            more.write(
                f"auth:\n  htpasswd:\n    realm: dockboard-test\n    path: {root / 'htpasswd'}\n"
            )
    process = subprocess.Popen(
        [binary, "serve", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://{address}/v2/", timeout=1):
                break
        except OSError as failure:
            if isinstance(failure, urllib.error.HTTPError) and failure.code == 401 and login:
                break  # up, and asking for the login
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("the loopback registry did not start") from None
            time.sleep(0.1)
    try:
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)
        if made:
            shutil.rmtree(root, ignore_errors=True)


PRIVATE_LOGIN = (
    "pusher",
    f"s3cret-{RUN_ID}",
)  # the private registry's one user (``private_image``)


def allowing(team: "Team", reference: str) -> "Team":
    """``team`` may pull from ``reference``'s registry too."""
    team.allowed_images += f"\n{reference.split('/', 1)[0]}/dockboard-test/**"
    team.save(update_fields=["allowed_images"])
    return team
