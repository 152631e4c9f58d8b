"""A class's roster on the wire: pushed to its instructors as learners start, never to anyone
who may not manage the class, and cut off when an instructor is no longer one."""

from collections.abc import Callable

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from dashboard.asgi import application
from dashboard.models import Membership
from labs.models import LabClass, LabSession
from tests.harness.accounts import session_cookie
from tests.terminal_client import HOST, ORIGIN

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def roster_socket(user: User, lab_class: LabClass) -> WebsocketCommunicator:
    headers = [(b"host", HOST), (b"origin", ORIGIN), (b"cookie", session_cookie(user))]
    path = f"/ws/classes/{lab_class.pk}/roster/"
    return WebsocketCommunicator(application, path, headers=headers)


async def test_a_learner_starting_reaches_the_instructors_roster(
    lab_class: LabClass, launched: Callable[..., LabSession], instructor: User, member: User
) -> None:
    tabs = [await sync_to_async(roster_socket)(instructor, lab_class) for _ in range(2)]
    for tab in tabs:
        assert (await tab.connect(timeout=10))[0]
    await sync_to_async(launched)(member)
    for tab in tabs:
        frame = await tab.receive_from(timeout=3)
        while 'data-learner="member" data-state="running"' not in frame:
            frame = await tab.receive_from(timeout=3)
        assert frame.startswith('<div id="roster"') and 'formaction="/sessions/' in frame
        await tab.disconnect()


async def test_the_roster_is_refused_to_learners_and_outsiders(
    lab_class: LabClass, member: User, outsider: User
) -> None:
    for someone in (member, outsider):
        socket = await sync_to_async(roster_socket)(someone, lab_class)
        assert not (await socket.connect(timeout=10))[0]


async def test_an_instructor_made_a_member_is_cut_off(
    lab_class: LabClass, instructor: User
) -> None:
    socket = await sync_to_async(roster_socket)(instructor, lab_class)
    assert (await socket.connect(timeout=10))[0]
    await sync_to_async(Membership.objects.filter(user=instructor).update)(
        role=Membership.Role.MEMBER
    )
    assert (await socket.receive_output(timeout=3))["type"] == "websocket.close"
