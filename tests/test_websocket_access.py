"""Websockets: login, origin and the gatekeeper are checked before any engine stream opens."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User

from tests.harness.run import RUN_ID
from tests.terminal_client import TerminalClient

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running(make_container):
    return make_container()


async def test_signed_in_same_origin_is_accepted(running, cookie) -> None:
    client = TerminalClient(f"/ws/containers/{running.id}/attach/", cookie)
    assert await client.connect()
    assert (await client.event("hello"))["tty"] is True
    await client.close()


async def test_anonymous_is_refused(running) -> None:
    client = TerminalClient(f"/ws/containers/{running.id}/attach/", cookie=None)
    assert not await client.connect()


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        (b"http://evil.example", b"127.0.0.1:8000"),
        (b"http://127.0.0.1:9090", b"127.0.0.1:8000"),  # another web app on the same host
        (b"https://127.0.0.1:8000", b"127.0.0.1:8000"),  # another scheme
        (b"http://127.0.0.1", b"127.0.0.1:8000"),  # another port
        (b"http://evil.example", b"evil.example"),  # a Host this site does not answer to
        (b"", b"127.0.0.1:8000"),  # no Origin at all
        (b"null", b"127.0.0.1:8000"),
    ],
)
async def test_anything_but_the_exact_origin_is_refused(running, cookie, origin, host) -> None:
    client = TerminalClient(
        f"/ws/containers/{running.id}/attach/", cookie, origin=origin, host=host
    )
    assert not await client.connect()
    assert not running.client.api.inspect_container(running.id)["ExecIDs"]


async def test_inactive_user_is_refused(running, member: User, cookie) -> None:
    member.is_active = False
    await database_sync_to_async(member.save)()
    client = TerminalClient(f"/ws/containers/{running.id}/attach/", cookie)
    assert not await client.connect()


@pytest.mark.parametrize("kind", ["attach", "exec"])
async def test_unknown_container_is_refused_like_a_forbidden_one(cookie, kind: str) -> None:
    client = TerminalClient(f"/ws/containers/no-such-{RUN_ID}/{kind}/", cookie)
    assert not await client.connect()


@pytest.mark.parametrize(
    ("cookie_given", "origin"), [(False, None), (True, b"http://evil.example")]
)
async def test_the_live_list_needs_a_login_and_the_exact_origin(
    cookie, cookie_given: bool, origin: bytes | None
) -> None:
    client = TerminalClient(
        "/ws/containers/live/",
        cookie if cookie_given else None,
        **({"origin": origin} if origin else {}),
    )
    assert not await client.connect()
    signed_in = TerminalClient("/ws/containers/live/", cookie)
    assert await signed_in.connect()
    await signed_in.close()
