"""The container list without polling: the engine's events push changed rows over the page's
websocket, filtered through the gatekeeper, in Chromium and on the wire."""

import asyncio
import html
import re
import time
from urllib.parse import urlencode

import docker
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from playwright.sync_api import expect

from containers import list_page
from containers.live import LiveContainersConsumer
from dashboard.asgi import application
from dashboard.engine import events as engine_events
from dashboard.live.sessions import close_connections
from dashboard.live.socket import ATTEMPT
from tests import bad_inputs
from tests.harness.accounts import session_cookie, signed_in
from tests.harness.engine import restart_engine
from tests.harness.run import RUN_ID
from tests.pages import log_in
from tests.terminal_client import HOST, ORIGIN


def live_socket(cookie: bytes, query: str = "") -> WebsocketCommunicator:
    headers = [(b"host", HOST), (b"origin", ORIGIN), (b"cookie", cookie)]
    return WebsocketCommunicator(application, f"/ws/containers/live/?{query}", headers=headers)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_member_receives_their_rows_and_nothing_about_anyone_elses(
    make_container, member: User, other_member: User
) -> None:
    mine = await sync_to_async(make_container)("sleep 600", name="mine", init=True)
    theirs = await sync_to_async(make_container)(
        "sleep 600", name="theirs", init=True, owner=other_member
    )
    socket = live_socket(await sync_to_async(session_cookie)(member))
    connected, _ = await socket.connect(timeout=10)
    assert connected
    await sync_to_async(theirs.stop)(timeout=1)
    await sync_to_async(theirs.start)()
    assert await socket.receive_nothing(timeout=2)  # not a byte about their container

    started = time.monotonic()
    await sync_to_async(mine.stop)(timeout=1)
    frame = await socket.receive_from(timeout=5)
    assert time.monotonic() - started < 5
    assert f'id="row-{mine.id}"' in frame and "Exited" in frame
    assert theirs.id not in frame and "theirs" not in frame
    await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_row_leaving_the_pages_filter_is_removed(make_container, member: User) -> None:
    container = await sync_to_async(make_container)("sleep 600", name="filtered", init=True)
    socket = live_socket(await sync_to_async(session_cookie)(member), "state=running")
    assert (await socket.connect(timeout=10))[0]
    await sync_to_async(container.stop)(timeout=1)
    frame = await socket.receive_from(timeout=5)
    assert frame == f'<tr id="row-{container.id}" hx-swap-oob="delete"></tr>'
    await socket.disconnect()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_container_stopped_with_the_cli_changes_its_row_and_focus_stays(
    page, member: User, make_container, engine: docker.DockerClient
) -> None:
    stopped_by_cli = make_container("sleep 600", name="cli-stopped", init=True)
    focused = make_container("sleep 600", name="focused", init=True)
    log_in(page)
    page.goto("/engines/local/containers/")
    expect(page.locator("#live-containers")).to_have_attribute("data-connected", "true")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    button = page.locator(f"#row-{focused.id} button[value=stop]")
    button.focus()

    engine.api.stop(stopped_by_cli.id, timeout=1)
    expect(page.locator(f"#row-{stopped_by_cli.id} td.status")).to_contain_text(
        "Exited", timeout=3000
    )
    assert button.evaluate("element => element === document.activeElement")
    assert page.locator(f"#row-{stopped_by_cli.id} button[value=start]").is_visible()
    assert requests == []  # no polling: the row came over the websocket

    created = make_container("sleep 600", name="appears", init=True)
    expect(page.locator(f"#row-{created.id}")).to_be_visible(timeout=3000)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_signing_out_closes_the_live_list(member: User) -> None:
    socket = live_socket(await sync_to_async(session_cookie)(member))
    assert (await socket.connect(timeout=10))[0]
    await sync_to_async(close_connections)(member.pk)
    assert (await socket.receive_output(timeout=5))["type"] == "websocket.close"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_containers_page_follows_its_state(
    page, member: User, make_container, engine: docker.DockerClient
) -> None:
    container = make_container("sleep 600", name="followed", init=True)
    log_in(page)
    page.goto(f"/engines/local/containers/{container.id}/")
    expect(page.locator("#live-container")).to_have_attribute("data-connected", "true")
    engine.api.stop(container.id, timeout=1)
    expect(page.locator("#container-state")).to_have_text("exited", timeout=3000)
    page.locator("#container-actions button[value=start]").click()
    expect(page.locator("#container-state")).to_have_text("running", timeout=5000)
    container.reload()
    assert container.status == "running"


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_overview_counts_follow_the_members_containers(
    make_container, member: User, other_member: User
) -> None:
    mine = await sync_to_async(make_container)("sleep 600", name="counted", init=True)
    theirs = await sync_to_async(make_container)(
        "sleep 600", name="uncounted", init=True, owner=other_member
    )
    socket = live_socket(await sync_to_async(session_cookie)(member), "page=overview")
    assert (await socket.connect(timeout=10))[0]
    await sync_to_async(theirs.stop)(timeout=1)
    assert await socket.receive_nothing(timeout=2)
    await sync_to_async(mine.stop)(timeout=1)
    frame = await socket.receive_from(timeout=5)
    figures = dict(re.findall(r'data-figure="(\w+)">(\d+)<', frame))
    assert figures == {"running": "0", "paused": "0", "stopped": "1"}
    await socket.disconnect()


@pytest.mark.django_db
def test_an_engine_answer_shared_by_pages_is_never_older_than_their_event(
    make_container, member: User, engine: docker.DockerClient
) -> None:
    """Pages that wake on the same events share one engine answer, but a page woken by a later
    event (the `die` after the `kill` of a stop) asks again: an earlier answer misses it."""
    container = make_container("sleep 600", name="shared", init=True)
    _rows, _gone, states = list_page.changed_rows(member, {container.id}, {}, time.monotonic())
    assert states == {container.id: "running"}
    engine.api.stop(container.id, timeout=1)
    _rows, _gone, states = list_page.changed_rows(member, {container.id}, {}, time.monotonic())
    assert states == {container.id: "exited"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_list_converges_after_the_engine_restarts(
    page, member: User, make_container, engine: docker.DockerClient
) -> None:
    """What changed while the engine was away (its containers stopped with it) and right after
    it came back (the stream's events of that moment are gone) is on the page without a reload."""
    stopped_by_restart = make_container("sleep 600", name="restarted", init=True)
    log_in(page)
    page.goto(f"/engines/local/containers/?q={RUN_ID}")
    expect(page.locator("#live-containers")).to_have_attribute("data-connected", "true")
    row = page.locator(f"#row-{stopped_by_restart.id} td.status")
    expect(row).to_contain_text("Up")

    restart_engine(engine)
    created_after = make_container("sleep 600", name="after-restart", init=True)
    expect(row).to_contain_text("Exited", timeout=15_000)
    expect(page.locator(f"#row-{created_after.id} td.status")).to_contain_text("Up")
    expect(page.locator("#live-notice")).to_be_hidden()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_every_row_of_a_burst_of_pauses_ends_in_its_new_state(
    make_container, member: User, engine: docker.DockerClient
) -> None:
    """The engine sends `pause` (and `die`) a moment before its list shows the change: the page
    must not be left with the state from before."""
    containers = [
        await sync_to_async(make_container)("sleep 600", name=f"burst-{n}", init=True)
        for n in range(8)
    ]
    socket = live_socket(await sync_to_async(session_cookie)(member))
    assert (await socket.connect(timeout=10))[0]
    for action, paused in ((engine.api.pause, True), (engine.api.unpause, False)):
        await asyncio.gather(*(asyncio.to_thread(action, c.id) for c in containers))
        last: dict[str, str] = {}
        while len(last) < len(containers) or any(
            ("(Paused)" in row) != paused for row in last.values()
        ):  # each row's latest frame, until all show the new state; the page asks the engine
            # again for up to 3.2 s after an event (EngineEventsConsumer.again), so a loaded
            # machine's last frame can come later than that
            frame = await socket.receive_from(timeout=10)
            last.update(re.findall(r'<tr id="row-(\w+)"(.*?)</tr>', frame, re.DOTALL))
    await socket.disconnect()


def container_event(container, action: str) -> dict:
    """An event as the engine's stream carries it (the container's labels ride along)."""
    actor = {"ID": container.id, "Attributes": container.labels}
    return {"Type": "container", "Action": action, "id": container.id, "Actor": actor,
            engine_events.RECEIVED: time.monotonic()}  # fmt: skip


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_settled_row_is_sent_while_an_unsettled_one_is_asked_again(
    make_container, member: User
) -> None:
    """A `pause` the engine's list does not show yet (the engine logs it a moment before), in
    one batch with a stop it does show: the stopped row goes at once, and the other alone is
    asked for again (it used to hold the whole batch back, and the next, at 20 changes a second:
    p95 226 ms from the event to the row drawn, in bench/live_rate.py)."""
    running = await sync_to_async(make_container)("sleep 600", name="not-yet", init=True)
    stopped = await sync_to_async(make_container)("sleep 600", name="stopped", init=True)
    await sync_to_async(stopped.stop)(timeout=1)
    page = LiveContainersConsumer()
    page.scope, page.params, page.container, page.overview = {"user": member}, {}, None, False
    page.engine_name, page.language = "local", None
    page.loop, page.events = asyncio.get_running_loop(), asyncio.Queue()
    batch = [container_event(running, "pause"), container_event(stopped, "die")]

    frame = await page.on_page(page.render_batch, batch)
    assert row_states(frame) == {stopped.id: False} and "Exited" in frame
    asked_again = await asyncio.wait_for(page.events.get(), timeout=5)
    assert asked_again["id"] == running.id and asked_again[ATTEMPT] == 2
    assert page.events.empty()


def row_states(frame: str) -> dict[str, bool]:
    """Each row in a frame, and whether it shows the container paused."""
    rows = re.findall(r'<tr id="row-(\w+)"(.*?)</tr>', frame, re.DOTALL)
    return {row_id: "(Paused)" in row for row_id, row in rows}


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_change_between_the_page_and_its_socket_is_sent(
    make_container, member: User
) -> None:
    """The page lists its rows, the container changes, then the page's socket connects (another
    user's page keeps the event reader open meanwhile): the socket sends the changed row."""
    container = await sync_to_async(make_container)("sleep 600", name="in-between", init=True)
    cookie = await sync_to_async(session_cookie)(member)
    other_page = live_socket(cookie)
    assert (await other_page.connect(timeout=10))[0]
    browser = await sync_to_async(signed_in)(member)
    page = await sync_to_async(browser.get)("/engines/local/containers/")
    assert "(Paused)" not in page.content.decode()
    url = html.unescape(re.search(r'ws-connect="([^"]+)"', page.content.decode())[1])
    assert "since=" in url

    await sync_to_async(container.pause)()
    while not row_states(await other_page.receive_from(timeout=10)).get(container.id):
        pass  # the event reader has the pause
    late = live_socket(cookie, url.split("?", 1)[1])
    assert (await late.connect(timeout=10))[0]
    assert row_states(await late.receive_from(timeout=5)) == {container.id: True}
    opened_now = live_socket(cookie)  # no change since it started: nothing to send
    assert (await opened_now.connect(timeout=10))[0]
    assert await opened_now.receive_nothing(timeout=1)
    await sync_to_async(container.unpause)()
    for socket in (other_page, late, opened_now):
        await socket.disconnect()


BAD_SINCE = ["", "abc", "NaN", "inf", "1e400", "-5", "9" * 40, "1.2.3", "0x10", "\x00"]
BAD_SINCE.append("\uff11\uff12\uff13")  # full-width digits


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_since_that_names_no_moment_is_taken_as_now(make_container, member: User) -> None:
    container = await sync_to_async(make_container)("sleep 600", name="odd-since", init=True)
    cookie = await sync_to_async(session_cookie)(member)
    for value in BAD_SINCE:
        bad_inputs.tried("ws /ws/containers/live/ ?since", value)
        socket = live_socket(cookie, urlencode({"since": value}))
        assert (await socket.connect(timeout=10))[0], value
        assert await socket.receive_nothing(timeout=0.2), value  # nothing replayed
        await socket.disconnect()
    socket = live_socket(cookie, urlencode({"since": "NaN"}))
    assert (await socket.connect(timeout=10))[0]
    await sync_to_async(container.stop)(timeout=1)
    assert "Exited" in await socket.receive_from(timeout=5)
    await socket.disconnect()
