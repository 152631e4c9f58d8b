"""What careless users and attackers type: each bad value is refused with a message on its field
(never a 500), nothing reaches the engine, and pages answer only the methods they serve."""

import docker
import pytest
from django.test import Client

from tests import bad_inputs
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import text_of

pytestmark = pytest.mark.django_db
MEGABYTE = "x" * 1024 * 1024


def field_error(response, field: str) -> str:
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html, (field, text_of(html)[:500])
    return text_of(html.split(f'id="id_{field}_error"', 1)[1].split("</div>", 1)[0])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cpus", "NaN", "number of CPUs"),
        ("cpus", "sNaN", "number of CPUs"),
        ("cpus", "-Infinity", "number of CPUs"),
        ("cpus", "1e400", "number of CPUs"),
        ("cpus", "\u0661", "number of CPUs"),
        ("cpus", "0x1", "number of CPUs"),
        ("memory", "\uff16m", "memory"),
        ("ports", "\uff18\uff10", "Invalid port mapping"),
        ("ports", "8080:\uff18\uff10", "Invalid port mapping"),
        ("restart", "on-failure:\uff13", "restart"),
        ("hostname", "h" * 65, "at most 64 characters"),
        ("hostname", MEGABYTE, "at most 64 characters"),
        ("env", f"A={MEGABYTE}", "at most 16384 characters"),
        ("labels", f"a={MEGABYTE}", "at most 16384 characters"),
        ("network", MEGABYTE, "at most 255 characters"),
        ("workdir", MEGABYTE, "at most 255 characters"),
        ("name", "n" * 129, "at most 128 characters"),
    ],
)
def test_create_form_refuses_with_a_field_message(
    member_client: Client, engine: docker.DockerClient, busybox: str, field, value, message
) -> None:
    data = {"image": busybox, "labels": f"{LABEL_KEY}={RUN_ID}", "create": "1", field: value}
    bad_inputs.tried(f"create form {field}", value)
    response = member_client.post("/engines/local/containers/new/", data)
    assert response.status_code == 400
    assert message.lower() in field_error(response, field).lower()
    assert engine.containers.list(all=True, filters={"label": f"{LABEL_KEY}={RUN_ID}"}) == []

    preview = member_client.post("/engines/local/containers/new/command-line/", data)
    assert preview.status_code == 200


def test_rename_to_ten_thousand_characters_is_refused(
    member_client: Client, make_container
) -> None:
    container = make_container("sleep 600", name="short", init=True)
    response = member_client.post(
        f"/engines/local/containers/{container.id}/actions/",
        {"action": "rename", "name": "n" * 10_000},
        follow=True,
    )
    assert response.status_code == 200
    assert "at most 128 characters" in text_of(response.content)
    container.reload()
    assert container.name == f"short-{RUN_ID}"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/engines/local/containers/",
        "/engines/local/containers/new/",
        "/engines/local/images/",
        "/engines/local/images/pull/",
        "/teams/",
    ],
)
def test_pages_answer_405_to_other_methods(member_client: Client, method: str, url: str) -> None:
    response = getattr(member_client, method)(url)
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "POST"}


def test_pages_with_inspect_data_are_never_stored(member_client: Client, make_container) -> None:
    container = make_container("sleep 600", init=True)
    for url in (
        f"/engines/local/containers/{container.id}/",
        f"/engines/local/containers/{container.id}/tabs/inspect/",
        f"/engines/local/containers/{container.id}/tabs/env/",
    ):
        response = member_client.get(url)
        assert response.status_code in {200, 404}, url
        assert "no-store" in response["Cache-Control"], url
        assert "HX-Request" in response["Vary"], url
