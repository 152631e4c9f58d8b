"""Faults of the things Dockboard stands on: a database that is locked or restarting, an engine
that hangs or restarts, a registry that stops. Each page degrades with a clear message, recovers by
itself, and leaves nothing half-done (jobs, sessions, audit rows)."""

import contextlib
import socket
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator

import docker
import psycopg
import pytest
import requests
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client, override_settings

from dashboard.models import AuditEvent, Team
from images.models import PullJob
from tests.harness.accounts import session_cookie
from tests.harness.database import database_url
from tests.harness.engine import restart_engine
from tests.harness.images import build_layered_image, push
from tests.harness.registry import free_port, loopback_registry
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.harness.throttle import throttled_proxy
from tests.pages import text_of
from tests.pull_jobs import finished, pulling, wait_for
from tests.terminal_client import open_terminal

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def teams_table_locked() -> Iterator[None]:
    """Another connection holds the lock a new team's row needs, and this test's connection
    waits for it only briefly: what a busy SQLite file or a long PostgreSQL lock does."""
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 100")
    else:
        other = psycopg.connect(database_url(connection.settings_dict), autocommit=False)
        other.execute("LOCK TABLE dashboard_team IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '100ms'")
    try:
        yield
    finally:
        other.rollback()
        other.close()
        connection.close()  # the next request opens a fresh connection with the usual timeout


def test_a_locked_database_answers_503_then_recovers(admin_client: Client) -> None:
    admin_client.raise_request_exception = False  # as the real server: the error page answers
    admin_client.get("/teams/")  # the connection is open, so the lock timeout applies to it
    with teams_table_locked():
        response = admin_client.post("/teams/", {"name": "made-while-locked"})
    assert response.status_code == 503
    text = text_of(response.content)
    assert "Database busy" in text and "Try again in a moment" in text
    assert "Traceback" not in text

    again = admin_client.post("/teams/", {"name": "made-while-locked"})
    assert again.status_code == 302
    assert Team.objects.filter(name="made-while-locked").count() == 1
    assert AuditEvent.objects.filter(action="team-create").count() == 1  # once, not twice


@pytest.fixture
def hanging_engine() -> Iterator[str]:
    """An address whose listener accepts connections and never answers: an engine that hangs."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                held.append(listener.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
    for connection_held in held:
        connection_held.close()


def test_a_hanging_engine_answers_503_within_the_timeout(
    admin_client: Client, hanging_engine: str
) -> None:
    with override_settings(DOCKER_HOST=hanging_engine, DOCKER_TIMEOUT=1):
        started = time.monotonic()
        response = admin_client.get("/engines/local/containers/")
        took = time.monotonic() - started
    assert response.status_code == 503
    assert f"The Docker Engine at {hanging_engine} did not answer within 1 seconds" in text_of(
        response.content
    )
    assert took < 5, took


def test_a_pull_cut_by_an_engine_restart_fails_clearly_and_retry_completes(
    member_client: Client, start_worker, layered_image: str, slow_registry: str, not_local, engine
) -> None:
    start_worker()
    reference = not_local(layered_image.replace(layered_image.split("/")[0], slow_registry))
    job_id = pulling(member_client, reference)
    restart_engine(engine)
    cut = wait_for(job_id, finished, timeout=60)
    assert cut.state == PullJob.State.FAILED and cut.error, (cut.state, cut.error)
    page = text_of(member_client.get(f"/engines/local/images/pulls/{job_id}/").content)
    assert cut.error in page and "Retry" in page

    retried = member_client.post(
        f"/engines/local/images/pulls/{job_id}/actions/", {"action": "retry"}
    )["Location"].split("/")[-2]
    assert wait_for(retried, finished, timeout=60).state == PullJob.State.SUCCEEDED
    assert engine.images.get(reference)


def test_a_log_download_cut_by_an_engine_restart_says_so(
    member_client: Client, make_container, engine: docker.DockerClient
) -> None:
    """Megabytes of logs, most still in the engine when it stops: the file ends with why, not
    as if the logs ended there."""
    container = make_container("seq 1 400000", tty=False)
    container.wait()
    response = member_client.get(f"/engines/local/containers/{container.id}/logs/download/")

    async def read_then_cut() -> tuple[bytes, bytes]:
        chunks = aiter(response.streaming_content)
        first = await anext(chunks)
        await sync_to_async(restart_engine)(engine)
        return first, b"".join([chunk async for chunk in chunks])

    first, rest = async_to_sync(read_then_cut)()
    assert first.split(b"\n")[0].endswith(b" stdout 1")
    assert b" stdout 400000\n" not in first + rest
    assert "\nThe engine ended the logs early: " in rest.decode()


@pytest.mark.asyncio
async def test_a_terminal_says_the_engine_went_away_and_attaches_again(
    make_container, cookie: bytes, engine: docker.DockerClient
) -> None:
    container = await sync_to_async(make_container)()
    path = f"/ws/containers/{container.id}/attach/"
    client = await open_terminal(path, cookie)
    await sync_to_async(restart_engine)(engine)
    ended = await client.event("ended", timeout=30)
    assert ended["reason"] in {"exited", "lost"}, ended  # the shell stopped with its engine
    await client.close()

    await sync_to_async(container.start)()
    again = await open_terminal(path, cookie)
    await again.send(b"echo back-$((6*7))\n")
    await again.read_until(b"back-42")
    await again.close()


def test_a_pull_whose_registry_stops_says_it_retries_and_completes_once_it_is_back(
    member_client: Client, start_worker, engine: docker.DockerClient, team: Team, tmp_path
) -> None:
    """The registry behind a slow link stops mid-layer: the engine retries, as the CLI shows,
    and the same job completes when the registry is started again with what it held."""
    start_worker()
    storage, port = tmp_path / "registry", free_port()
    with loopback_registry(port=port, root=storage) as address:
        reference = f"{address}/dockboard-test/cut:{RUN_ID.lower()}"
        image_id = build_layered_image(
            engine, reference, {LABEL_KEY: RUN_ID}, layers=1, layer_bytes=8_000_000
        )
        push(engine, reference)
        engine.images.remove(image_id, force=True)
    with throttled_proxy(f"127.0.0.1:{port}", 1_000_000) as proxy:
        team.allowed_images += f"\n{proxy}/dockboard-test/**"
        team.save()
        pulled = reference.replace(address, proxy)
        with loopback_registry(port=port, root=storage):
            job_id = pulling(member_client, pulled)
        retrying = wait_for(job_id, lambda job: "Retrying" in str(job.layers), timeout=60)
        assert retrying.state == PullJob.State.RUNNING
        assert "Retrying in" in text_of(
            member_client.get(f"/engines/local/images/pulls/{job_id}/").content
        )
        with loopback_registry(port=port, root=storage):
            done = wait_for(job_id, finished, timeout=90)
    assert done.state == PullJob.State.SUCCEEDED, done.error
    assert engine.images.get(pulled).id == image_id
    assert PullJob.objects.filter(reference=pulled).count() == 1  # the same job, not a new one


def postgresql_cluster() -> str:
    """``VERSION NAME`` of the local cluster the test database is on (pg_lsclusters)."""
    port = str(connection.settings_dict["PORT"] or 5432)
    for line in subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    ).stdout.splitlines():
        version, name, cluster_port = line.split()[:3]
        if cluster_port == port:
            return f"{version} {name}"
    raise RuntimeError(f"no local PostgreSQL cluster on port {port}")


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="PostgreSQL's own restart: the suite's PostgreSQL pass runs it",
)
def test_pages_say_the_database_is_away_while_postgresql_restarts_and_recover(
    live_url: str, admin: User
) -> None:
    """On the real server, where each request takes its connection from the pool and gives it
    back: a dead one from before the restart is never handed out."""
    Team.objects.create(name="before-restart")
    browser = requests.Session()
    browser.headers["Cookie"] = session_cookie(admin).decode()
    teams = f"{live_url}/teams/"
    assert browser.get(teams, allow_redirects=False).status_code == 200
    cluster = postgresql_cluster().split()
    subprocess.run(["pg_ctlcluster", *cluster, "stop", "-m", "fast"], check=True)
    try:
        away = browser.get(teams, allow_redirects=False, timeout=30)
        assert away.status_code == 503
        assert "Database busy" in text_of(away.content)
    finally:
        subprocess.run(["pg_ctlcluster", *cluster, "start"], check=True)
        connection.close()  # the test's own, from before the restart
    back = browser.get(teams, allow_redirects=False)  # the first request after, still signed in
    assert back.status_code == 200
    assert "before-restart" in text_of(back.content)
