"""A session's status socket: open to its learner and the class's instructors, refused to another
learner and to outsiders; it says "changed" when an instructor acts, and closes on a learner who
may no longer see the session."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from dashboard.asgi import application
from dashboard.models import Membership
from labs import actions
from labs.models import LabClass, LabSession
from teams.actions import set_active
from tests.harness.accounts import session_cookie
from tests.terminal_client import HOST, ORIGIN

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def status_socket(user: User, session: LabSession) -> WebsocketCommunicator:
    headers = [(b"host", HOST), (b"origin", ORIGIN), (b"cookie", session_cookie(user))]
    path = f"/ws/sessions/{session.pk}/status/"
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.fixture
def session(lab_class: LabClass, member: User) -> LabSession:
    """A session the worker has not made (its containers are not needed here)."""
    started = actions.start_session(member, lab_class)
    LabSession.objects.filter(pk=started.pk).update(state=LabSession.State.RUNNING)
    return LabSession.objects.get(pk=started.pk)


async def test_the_learner_and_the_instructor_are_told_when_an_instructor_extends(
    session: LabSession, member: User, instructor: User
) -> None:
    pages = [await sync_to_async(status_socket)(who, session) for who in (member, instructor)]
    for socket in pages:
        assert (await socket.connect(timeout=10))[0]
    await sync_to_async(actions.extend)(instructor, session)
    for socket in pages:
        assert await socket.receive_from(timeout=3) == "changed"
        await socket.disconnect()


async def test_the_status_is_refused_to_another_learner_and_outsiders(
    session: LabSession, other_member: User, outsider: User
) -> None:
    for someone in (other_member, outsider):
        socket = await sync_to_async(status_socket)(someone, session)
        assert not (await socket.connect(timeout=10))[0]


async def test_a_deactivated_learner_is_cut_off(
    session: LabSession, member: User, admin: User
) -> None:
    socket = await sync_to_async(status_socket)(member, session)
    assert (await socket.connect(timeout=10))[0]
    await sync_to_async(set_active)(admin, member, False)
    assert (await socket.receive_output(timeout=3))["type"] == "websocket.close"


async def test_an_instructor_made_a_member_is_cut_off(
    session: LabSession, instructor: User
) -> None:
    socket = await sync_to_async(status_socket)(instructor, session)
    assert (await socket.connect(timeout=10))[0]
    await sync_to_async(Membership.objects.filter(user=instructor).update)(
        role=Membership.Role.MEMBER
    )
    assert (await socket.receive_output(timeout=3))["type"] == "websocket.close"
