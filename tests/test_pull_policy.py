"""Pulls through the gate: members only what their team allows; nobody from link-local addresses
or Dockboard's own; and what a non-registry answers is never read out on the page."""

import socket
import threading
import time

import pytest
from django.test import Client

from dashboard.models import AuditEvent
from images.models import PullJob
from tests.pages import text_of

pytestmark = pytest.mark.django_db


def refused(client: Client, reference: str) -> str:
    response = client.post("/engines/local/images/pull/", {"reference": reference})
    assert response.status_code == 400, reference
    return text_of(response.content)


def test_members_pull_only_what_the_allow_list_names(member_client: Client, member) -> None:
    for reference in ("busybox", "ubuntu:14.04", "localhost:22/x:y", "127.0.0.1:8765/x:y"):
        assert "is not on the list of images your teams may use" in refused(
            member_client, reference
        )
    assert not PullJob.objects.exists()  # refused before anything was queued for the engine
    assert AuditEvent.objects.filter(actor=member, action="pull", outcome="refused").count() == 4


@pytest.mark.parametrize(
    "reference",
    ["169.254.169.254/latest/meta-data:x", "169.254.169.254:80/a:b", "2852039166:80/a:b",
     "0xa9fea9fe:80/a:b", "169.254.43518:80/a:b", "[fe80::1]:5000/a:b",
     "[::ffff:169.254.169.254]:80/a:b", "[::ffff:a9fe:a9fe]:80/a:b", "[::169.254.169.254]:80/a:b",
     "[0:0:0:0:0:ffff:169.254.169.254]:80/a:b", "[64:ff9b::169.254.169.254]:80/a:b"],
)  # fmt: skip
def test_link_local_registries_are_refused_to_everyone(admin_client: Client, reference) -> None:
    assert "Registries at link-local addresses" in refused(admin_client, reference)
    assert not PullJob.objects.exists()


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "127.1", "0", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
     "[::127.0.0.1]", "[::]", "[::ffff:0.0.0.0]"],
)  # fmt: skip
def test_dockboards_own_address_is_refused(admin_client: Client, settings, host) -> None:
    settings.DOCKBOARD_BIND = "127.0.0.1:8765"
    assert "Dockboard does not use a registry at its own address." in refused(
        admin_client, f"{host}:8765/x:y"
    )
    assert not PullJob.objects.exists()


def test_a_listed_registry_may_be_named(admin_client: Client, settings) -> None:
    settings.DOCKBOARD_ALLOWED_REGISTRIES = ["169.254.1.1:5000"]
    assert (
        admin_client.post(
            "/engines/local/images/pull/", {"reference": "169.254.1.1:5000/a:b"}
        ).status_code
        == 302
    )
    PullJob.objects.all().delete()


@pytest.fixture
def chatty_port():
    """A loopback port that answers like an SSH server would: not a registry."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            try:
                peer, _ = listener.accept()
            except OSError:
                return
            peer.sendall(b"SSH-2.0-OpenSSH_9.2 secret-banner-text\r\n")
            time.sleep(0.2)
            peer.close()

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


@pytest.mark.django_db(transaction=True)
def test_what_a_non_registry_answers_is_not_shown(
    admin_client: Client, start_worker, chatty_port: int
) -> None:
    start_worker()
    response = admin_client.post(
        "/engines/local/images/pull/", {"reference": f"127.0.0.1:{chatty_port}/x:y"}
    )
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    deadline = time.monotonic() + 30
    while (job := PullJob.objects.get(pk=job_id)).is_active:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert job.state == "failed" and job.error
    page = text_of(admin_client.get(f"/engines/local/images/pulls/{job_id}/").content)
    assert "secret-banner" not in job.error and "secret-banner" not in page
    assert "SSH-2.0" not in page
