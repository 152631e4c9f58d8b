"""A queued pull wakes an idle task worker at once, however long its poll interval."""

import signal
import time

import pytest
from django.db import connection
from django.test import Client

from dashboard.ops import worker_wake
from tests.pull_jobs import ask_pull, finished, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

ONE_HOUR = "3600"


def pull_twice(client: Client, reference: str) -> None:
    """The second pull is queued while the worker idles, waiting out its hour."""
    for _ in range(2):
        job = wait_for(ask_pull(client, reference), finished, timeout=20)
        assert job.state == "succeeded", job.error


def test_an_idle_worker_starts_a_queued_pull_at_once_and_stops_at_once(
    member_client: Client, start_worker, layered_image: str
) -> None:
    worker = start_worker("--interval", ONE_HOUR)
    pull_twice(member_client, layered_image)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0


def test_a_killed_worker_does_not_keep_the_next_one_asleep(
    member_client: Client, start_worker, layered_image: str
) -> None:
    killed = start_worker("--interval", ONE_HOUR)
    pull_twice(member_client, layered_image)
    killed.kill()
    killed.wait()
    start_worker("--interval", ONE_HOUR)
    if connection.vendor == "sqlite":
        assert killed_sockets(killed.pid)  # left behind: nothing listens on it
    pull_twice(member_client, layered_image)
    if connection.vendor == "sqlite":  # the nudge cleared it
        assert not killed_sockets(killed.pid)


def killed_sockets(pid: int) -> list:
    return list(worker_wake.socket_folder().glob(f"{pid}.*"))


def listening_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = %s",
            [f"LISTEN {worker_wake.CHANNEL}"],
        )
        return [pid for (pid,) in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL workers LISTEN")
def test_a_worker_whose_wake_up_connection_drops_listens_again(
    member_client: Client, start_worker, layered_image: str
) -> None:
    start_worker("--interval", ONE_HOUR)
    pull_twice(member_client, layered_image)
    [dropped] = listening_backends()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
    deadline = time.monotonic() + 10
    while listening_backends() in ([], [dropped]):
        assert time.monotonic() < deadline, "the worker did not listen again"
        time.sleep(0.1)
    pull_twice(member_client, layered_image)
