"""Watching a terminal and taking it over: a watcher's input is dropped by the server (even from
a crafted client), the person at the terminal sees who watches, and a take-over lets the watcher
type until either side ends it, each one in the audit log."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User

from dashboard.models import AuditEvent
from tests.harness.accounts import session_cookie
from tests.terminal_client import TerminalClient

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shell(make_container):
    return make_container()


async def connect(user: User, container, watch: bool = False) -> TerminalClient:
    query = "?watch=1" if watch else ""
    cookie = await sync_to_async(session_cookie)(user)
    client = TerminalClient(f"/ws/containers/{container.id}/attach/{query}", cookie)
    assert await client.connect()
    return client


def exists(container, path: str) -> bool:
    return container.exec_run(["test", "-e", path]).exit_code == 0


async def test_a_watchers_input_never_reaches_the_container(shell, instructor: User) -> None:
    watcher = await connect(instructor, shell, watch=True)
    hello = await watcher.event("hello")
    assert (hello["watching"], hello["stdin"], hello["mayTakeOver"]) == (True, False, True)
    await watcher.send(b"touch /watched\n")  # what a crafted client would send
    await watcher.control({"type": "resize", "rows": 5, "cols": 20})
    await asyncio.sleep(1)
    assert not await sync_to_async(exists)(shell, "/watched")
    assert b"watched" not in await sync_to_async(shell.logs)()
    await watcher.close()


async def test_the_person_at_the_terminal_sees_who_watches(
    shell, member: User, instructor: User
) -> None:
    learner = await connect(member, shell)
    await learner.event("hello")
    watcher = await connect(instructor, shell, watch=True)
    assert (await learner.event("watchers"))["names"] == ["teacher"]
    late = await connect(member, shell)  # a second page of the learner's: told by roll call
    assert (await late.event("watchers"))["names"] == ["teacher"]
    await watcher.close()
    while (await learner.event("watchers"))["names"]:  # a roll call's answers come first
        pass
    await late.close()
    await learner.close()


async def test_a_take_over_lets_the_watcher_type_until_the_learner_ends_it(
    shell, member: User, instructor: User
) -> None:
    learner = await connect(member, shell)
    watcher = await connect(instructor, shell, watch=True)
    await watcher.event("hello")
    await watcher.control({"type": "takeover", "active": True})
    assert (await learner.event("takeover")) == {
        "type": "takeover",
        "active": True,
        "name": "teacher",
    }
    assert (await watcher.event("takeover"))["active"] is True
    await watcher.send(b"touch /taken\n")
    await watcher.read_until(b"touch /taken")
    await asyncio.sleep(0.3)
    assert await sync_to_async(exists)(shell, "/taken")
    await learner.control({"type": "takeover", "active": False})  # the learner ends it
    assert (await watcher.event("takeover"))["active"] is False
    await watcher.send(b"touch /after\n")
    await asyncio.sleep(1)
    assert not await sync_to_async(exists)(shell, "/after")
    actions = await sync_to_async(list)(
        AuditEvent.objects.filter(target_id=shell.id).values_list("action", flat=True)
    )
    assert {"watch", "take over", "end take-over"} <= set(actions)
    await watcher.close()
    await learner.close()


async def test_a_viewer_watches_but_cannot_take_over(shell, viewer: User) -> None:
    watcher = await connect(viewer, shell, watch=True)
    assert (await watcher.event("hello"))["mayTakeOver"] is False
    await watcher.control({"type": "takeover", "active": True})
    await watcher.send(b"touch /viewer\n")
    await asyncio.sleep(1)
    assert not await sync_to_async(exists)(shell, "/viewer")
    assert not any(e["type"] == "takeover" for e in watcher.events)
    await watcher.close()
