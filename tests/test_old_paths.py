"""The paths from before several engines: every page of the ``local`` engine moved to
``/engines/local/…``, and an old bookmark or form redirects there (the websockets answer on both
paths). The pages themselves link only to the new paths, so nothing in Dockboard takes a hop."""

import re

import docker
import pytest
from channels.db import database_sync_to_async
from django.test import Client

from tests.harness.accounts import session_cookie, signed_in
from tests.routes import every_url
from tests.terminal_client import TerminalClient

pytestmark = pytest.mark.django_db

LOCAL = "/engines/local"
OLD_PREFIXES = ("/containers/", "/images/", "/volumes/", "/networks/", "/swarm/", "/stats/")
# The pages there were before several engines (stacks came after: they never had an old path).
OLD_PATHS = [
    old
    for url in every_url()
    if url.startswith(f"{LOCAL}/")
    and ((old := url.removeprefix(LOCAL)) == "/" or old.startswith(OLD_PREFIXES))
]
LINK = re.compile(r'(?:href|action|hx-get|hx-post|ws-connect|data-[a-z-]+-url)="([^"]*)"')


def test_every_old_path_redirects_to_the_local_engine(client: Client) -> None:
    assert "/" in OLD_PATHS and "/containers/x/" in OLD_PATHS and len(OLD_PATHS) > 20
    for old in OLD_PATHS:
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == LOCAL + old


def test_the_query_and_escaped_characters_are_kept(member_client: Client) -> None:
    response = member_client.get("/containers/", {"q": "a&b #c+d", "sort": "-name"})
    assert response["Location"] == f"{LOCAL}/containers/?q=a%26b+%23c%2Bd&sort=-name"
    assert member_client.get("/containers/a%3Fb/")["Location"] == f"{LOCAL}/containers/a%3Fb/"
    followed = member_client.get("/containers/", {"q": "a&b"}, follow=True)
    assert followed.redirect_chain == [(f"{LOCAL}/containers/?q=a%26b", 301)]
    assert 'value="a&amp;b"' in followed.content.decode()


def test_a_form_sent_to_an_old_path_is_sent_on(
    make_container, engine: docker.DockerClient, member: object
) -> None:
    container = make_container("sleep 600", init=True)
    client = signed_in(member)
    old = f"/containers/{container.id}/actions/"
    response = client.post(old, {"action": "stop"})
    assert response.status_code == 308 and response["Location"] == LOCAL + old
    client.post(old, {"action": "stop"}, follow=True)
    assert engine.containers.get(container.id).status == "exited"


def test_pages_link_to_the_new_paths_only(admin_client: Client, make_container) -> None:
    container = make_container("sleep 600", init=True)
    pages = [
        f"{LOCAL}/",
        f"{LOCAL}/containers/",
        f"{LOCAL}/containers/{container.id}/",
        f"{LOCAL}/containers/{container.id}/terminal/",
        f"{LOCAL}/images/",
        f"{LOCAL}/volumes/",
        f"{LOCAL}/networks/",
        "/teams/",
        "/labs/",
        "/audit/",
    ]
    links = set()
    for page in pages:
        found = LINK.findall(admin_client.get(page).content.decode())
        assert found, page
        links.update(link for link in found if link.startswith("/") and "/static/" not in link)
    assert f"{LOCAL}/containers/{container.id}/" in links and "/teams/" in links
    assert f"{LOCAL}/ws/containers/{container.id}/attach/" in links
    old = sorted(link for link in links if link == "/" or link.startswith(OLD_PREFIXES))
    assert old == []


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_terminal_answers_on_both_paths(make_container, admin) -> None:
    container = make_container(owner=admin)  # their own: on another's terminal they would watch
    cookie = await database_sync_to_async(session_cookie)(admin)
    for prefix in ("", LOCAL):
        path = f"{prefix}/ws/containers/{container.id}/attach/"
        client = TerminalClient(path, cookie)
        assert await client.connect(), path
        await client.event("hello")
        await client.send(b"hostname\n")
        await client.read_until(container.id[:12].encode() + b"\r\n")
        await client.close()
