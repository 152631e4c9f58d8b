"""The stats page without polling: after each collector pass, the page's websocket receives the
table again, with its user's containers alone, in its sort."""

import asyncio
import re
from collections.abc import Callable

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from dashboard.asgi import application
from stats.collector import Collector
from tests.harness.accounts import session_cookie
from tests.terminal_client import HOST, ORIGIN

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def stats_socket(user: User, query: str = "") -> WebsocketCommunicator:
    headers = [(b"host", HOST), (b"origin", ORIGIN), (b"cookie", session_cookie(user))]
    return WebsocketCommunicator(application, f"/ws/stats/live/?{query}", headers=headers)


async def test_each_pass_reaches_the_page_with_its_users_containers_alone(
    make_container: Callable, member: User, outsider: User
) -> None:
    busy = await sync_to_async(make_container)(["sh", "-c", "while :; do :; done"], name="hot")
    idle = await sync_to_async(make_container)(["sleep", "600"], name="cool", init=True)
    by_name = await sync_to_async(stats_socket)(member, "sort=name")
    by_cpu = await sync_to_async(stats_socket)(member)
    theirs = await sync_to_async(stats_socket)(outsider)
    for socket in (by_name, by_cpu, theirs):
        assert (await socket.connect(timeout=10))[0]
    collector = Collector()

    await sync_to_async(collector.collect)()
    frame = await by_name.receive_from(timeout=5)
    assert frame.startswith('<div id="stats-table"')
    assert frame.index("cool-") < frame.index("hot-")  # by name
    await by_cpu.receive_from(timeout=5)
    assert busy.name not in await theirs.receive_from(timeout=5)

    await asyncio.sleep(1.05)  # rows are stamped in whole seconds; CPU is the change since
    await sync_to_async(collector.collect)()
    frame = await by_cpu.receive_from(timeout=5)
    hot = re.search(
        rf"{busy.name}</a></td>\s*<td class=\"num\" data-stat=\"cpu\">([0-9.]+)%", frame
    )
    assert hot and float(hot.group(1)) > 50, frame[:2000]
    assert frame.index(busy.name) < frame.index(idle.name)  # the busiest first
    assert busy.name not in await theirs.receive_from(timeout=5)
    for socket in (by_name, by_cpu, theirs):
        await socket.disconnect()
