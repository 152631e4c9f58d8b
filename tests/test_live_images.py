"""The image list without polling: a tag made or removed with the engine's own API reaches the
pages that show it, over their websockets; someone who sees no image receives nothing."""

import html
import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from playwright.sync_api import expect

from dashboard.asgi import application
from tests.harness.accounts import session_cookie, signed_in
from tests.harness.run import RUN_ID
from tests.pages import log_in
from tests.terminal_client import HOST, ORIGIN


def images_socket(user: User, query: str = "") -> WebsocketCommunicator:
    headers = [(b"host", HOST), (b"origin", ORIGIN), (b"cookie", session_cookie(user))]
    return WebsocketCommunicator(application, f"/ws/images/live/?{query}", headers=headers)


@pytest.fixture
def new_tag(engine, busybox: str):
    """A tag of the test image that does not exist yet; removed afterwards."""
    repository = f"{busybox.split('/')[0]}/dockboard-test/live-{RUN_ID}"
    yield repository, "fresh"
    engine.api.remove_image(f"{repository}:fresh", noprune=True)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_new_tag_reaches_the_list_and_nobody_who_sees_no_image(
    engine, busybox: str, new_tag, member: User, outsider: User
) -> None:
    repository, tag = new_tag
    mine = await sync_to_async(images_socket)(member)
    narrowed = await sync_to_async(images_socket)(member, f"q=nothing-{RUN_ID}")
    theirs = await sync_to_async(images_socket)(outsider)
    for socket in (mine, narrowed, theirs):
        assert (await socket.connect(timeout=10))[0]

    await sync_to_async(engine.api.tag)(busybox, repository, tag)
    frame = await mine.receive_from(timeout=5)
    assert frame.startswith('<div id="image-listing"') and f"{repository}</a>" in frame
    assert await narrowed.receive_nothing(timeout=1)  # its filter hides the change
    assert await theirs.receive_nothing(timeout=1)  # not on a team: sees no image at all

    await sync_to_async(engine.api.remove_image)(f"{repository}:{tag}", noprune=True)
    assert repository not in await mine.receive_from(timeout=5)
    await sync_to_async(engine.api.tag)(busybox, repository, tag)  # for the fixture to remove
    for socket in (mine, narrowed, theirs):
        await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_tag_made_between_the_page_and_its_socket_is_sent(
    engine, busybox: str, new_tag, member: User
) -> None:
    repository, tag = new_tag
    browser = await sync_to_async(signed_in)(member)
    page = (await sync_to_async(browser.get)("/engines/local/images/")).content.decode()
    assert f"{repository}</a>" not in page
    url = html.unescape(re.search(r'ws-connect="([^"]+)"', page)[1])

    await sync_to_async(engine.api.tag)(busybox, repository, tag)
    late = await sync_to_async(images_socket)(member, url.split("?", 1)[1])
    assert (await late.connect(timeout=10))[0]
    assert f"{repository}</a>" in await late.receive_from(timeout=5)
    await late.disconnect()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_tag_made_with_the_cli_appears_without_polling(
    page, engine, busybox: str, new_tag, member: User
) -> None:
    repository, tag = new_tag
    log_in(page)
    page.goto("/engines/local/images/?sort=-created")
    expect(page.locator("#live-images")).to_have_attribute("data-connected", "true")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    engine.api.tag(busybox, repository, tag)
    row = page.locator("#images tr", has=page.get_by_role("link", name=repository, exact=True))
    expect(row).to_contain_text(tag, timeout=3000)
    assert requests == []
