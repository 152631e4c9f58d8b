"""A session's terminal: only its learner (and the class's teacher) may open it, and what the
learner types counts as activity against the idle timeout."""

from collections.abc import Callable
from datetime import timedelta

import docker
import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.utils import timezone

from labs import runtime
from labs.models import LabSession
from tests.harness.accounts import session_cookie
from tests.terminal_client import TerminalClient

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running_session(launched: Callable[..., LabSession], engine: docker.DockerClient):
    session = launched()
    return session, engine.containers.get(runtime.container_name(session, "shell")).id


async def test_another_learner_cannot_open_the_session_terminal(
    running_session, other_member: User
) -> None:
    _session, container_id = running_session
    cookie = await sync_to_async(session_cookie)(other_member)
    for kind in ("attach", "exec"):
        client = TerminalClient(f"/ws/containers/{container_id}/{kind}/", cookie)
        assert not await client.connect()


async def test_terminal_input_is_activity(running_session, member: User) -> None:
    session, container_id = running_session
    old = timezone.now() - timedelta(minutes=8)
    await LabSession.objects.filter(pk=session.pk).aupdate(last_activity_at=old)
    client = TerminalClient(
        f"/ws/containers/{container_id}/attach/", await sync_to_async(session_cookie)(member)
    )
    assert await client.connect()
    await client.event("hello")
    await client.send(b"echo typed\n")
    await client.read_until(b"typed")
    await client.close()
    refreshed = await LabSession.objects.aget(pk=session.pk)
    assert refreshed.last_activity_at > old
