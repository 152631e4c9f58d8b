"""Engine unreachable: every page says so clearly, with 503 and the address tried, never a 500."""

import pytest
from django.test import Client, override_settings

from tests.pages import text_of
from tests.routes import every_url

pytestmark = pytest.mark.django_db

CLOSED_SOCKET = "unix:///tmp/dockboard-test-no-engine.sock"
# An engine's pages that need no engine: the pull and build pages read the database (a build
# is checked against the engine when the worker runs it), the command line is
# computed, the volume and network forms say it once sent. Pages of no engine need none either:
# teams, users, invitations and the audit log are Dockboard's own, the engines page says which
# engine is down; labs, classes, sessions, recordings and terminal settings are records (a
# session page without its engine shows no terminal, a check says FAIL with the reason). An
# engine's charts are its history: the gap is drawn.
ENGINE_FREE = ("/engines/local/images/pull", "/engines/local/images/build",
               "/engines/local/images/pushes/",
               "/engines/local/containers/new/command-line/",
               "/engines/local/volumes/new/", "/engines/local/networks/new/",
               "/engines/local/stats/engine/",
               # a stack's record is read first: "x" names none, and is not found
               "/engines/local/stacks/new/", "/engines/local/stacks/x/")  # fmt: skip
ENGINE_PAGES = [
    url
    for url in every_url()
    if url.startswith("/engines/local/") and not url.startswith(ENGINE_FREE)
]
# /readyz answers 503 when no engine answers: that is its purpose (tests/test_health.py).
OTHER_PAGES = [
    url
    for url in every_url()
    if url not in ENGINE_PAGES
    and not url.startswith(("/accounts/", "/oidc/", "/setup/", "/i18n/", "/readyz"))
]
# Each object's actions, as its page's buttons post them.
POST_ONLY = {
    "/engines/local/containers/x/actions/": [{"action": "stop"}],
    "/engines/local/containers/x/files/upload/": [{"files": []}],
    "/engines/local/containers/x/files/save/": [{"path": "/etc/motd", "text": "", "digest": ""}],
    "/engines/local/images/x/actions/": [
        {"action": "tag", "target": "app:v2"},
        {"action": "remove"},
    ],
    "/engines/local/images/x/push/": [{"name": "app:v2"}],
    "/engines/local/images/updates/": [{}],
    "/engines/local/swarm/services/x/actions/": [{"action": "remove"}],
    "/engines/local/swarm/nodes/x/actions/": [{"action": "availability", "availability": "drain"}],
    "/engines/local/volumes/x/actions/": [{"action": "remove"}],
    "/engines/local/networks/x/actions/": [
        {"action": "connect", "container": "y"},
        {"action": "disconnect", "container": "y"},
        {"action": "remove"},
    ],
}


@override_settings(DOCKER_HOST=CLOSED_SOCKET)
@pytest.mark.parametrize("url", ENGINE_PAGES)
def test_every_engine_page_explains_the_engine_is_down(admin_client: Client, url: str) -> None:
    # An action's page says it, then the list it returns to says it too.
    responses = (
        [admin_client.post(url, data, follow=True) for data in POST_ONLY[url]]
        if url in POST_ONLY
        else [admin_client.get(url)]
    )
    for response in responses:
        assert response.status_code == 503
        text = text_of(response.content)
        assert "Engine unreachable" in text
        assert f"The Docker Engine at {CLOSED_SOCKET} is unreachable" in text
        assert "Traceback" not in text


@override_settings(DOCKER_HOST="tcp://127.0.0.1:9")
def test_a_closed_tcp_port_reads_the_same(admin_client: Client) -> None:
    response = admin_client.get("/engines/local/")
    assert response.status_code == 503
    assert "The Docker Engine at tcp://127.0.0.1:9 is unreachable" in text_of(response.content)


@override_settings(DOCKER_HOST=CLOSED_SOCKET)
def test_htmx_requests_get_the_message_as_a_fragment(admin_client: Client) -> None:
    response = admin_client.get("/engines/local/containers/", headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert response["HX-Retarget"] == "#messages"
    assert b"<html" not in response.content
    assert b"is unreachable" in response.content


@override_settings(DOCKER_HOST=CLOSED_SOCKET)
def test_login_still_works_while_the_engine_is_down(client: Client) -> None:
    assert client.get("/accounts/login/").status_code == 200


@override_settings(DOCKER_HOST=CLOSED_SOCKET)
@pytest.mark.parametrize("url", OTHER_PAGES)
def test_pages_that_need_no_engine_still_answer(admin_client: Client, url: str) -> None:
    response = admin_client.get(url)
    if response.status_code == 405:  # a form's target
        assert "GET" not in response["Allow"]
    elif response.status_code != 404:  # 404: the sample id (1, x) names nothing
        assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = text_of(body)
    assert "Traceback" not in text
    if url not in {"/engines/", "/engines/all/containers/"}:  # these say which engine is down
        assert "unreachable" not in text
