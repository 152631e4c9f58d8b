"""An engine reference never leaves the API it was meant for: dot segments are refused before
anything is sent, and the gateway follows no redirect (the engine answers a cleaned path with a
301, which the SDK would follow with the same method)."""

import docker
import pytest
from django.test import Client

from dashboard.engine import client as gateway
from dashboard.engine import containers as engine_containers
from dashboard.engine import images as engine_images
from dashboard.engine.errors import BadParameter
from tests.pages import text_of


@pytest.mark.parametrize(
    "reference", ["../containers/{name}", "x/../../containers/{name}", "./{name}", "{name}/.."]
)
def test_dot_segments_are_refused_by_the_gateway(make_container, reference: str) -> None:
    container = make_container("sleep 600", name="target", init=True)
    with pytest.raises(BadParameter) as refused:
        engine_images.inspect_image(reference.format(name=container.name))
    assert "“..”" in refused.value.message


def test_image_remove_cannot_reach_a_container(
    admin_client: Client, engine: docker.DockerClient, busybox: str, make_container
) -> None:
    container = make_container("sleep 600", name="victim", init=True)
    image_id = engine.images.get(busybox).id
    response = admin_client.post(
        f"/engines/local/images/{image_id}/actions/",
        {"action": "remove", "name": f"../containers/{container.name}"},
        follow=True,
    )
    assert response.status_code == 200
    assert "cannot have “.” or “..”" in text_of(response.content)
    assert engine.containers.get(container.id).status == "running"
    assert engine.images.get(busybox)


def test_redirects_are_not_followed(engine: docker.DockerClient, make_container) -> None:
    """A path the engine redirects without any dot segment (a double slash) is not followed."""
    container = make_container("sleep 600", name="slash", init=True)
    api = gateway.client()
    with pytest.raises(BadParameter) as refused, gateway.translated_errors():
        api.post(f"{api.base_url}/v{api.api_version}//containers/{container.name}/stop")
    assert "redirect" in refused.value.message
    assert engine.containers.get(container.id).status == "running"


def test_an_empty_name_is_refused_clearly(
    member_client: Client, engine: docker.DockerClient, team, make_container
) -> None:
    with pytest.raises(BadParameter) as refused:
        engine_containers.inspect_container("")
    assert refused.value.message == "A name is needed here."
    create = {"team": team.pk, "name": "net-empty", "labels": "", "create": "1"}
    network = member_client.post("/engines/local/networks/new/", create, follow=True)
    assert network.status_code == 200
    network_id = engine.networks.get("net-empty").id
    try:
        response = member_client.post(
            f"/engines/local/networks/{network_id}/actions/",
            {"action": "connect", "container": ""},
            follow=True,
        )
        assert "A name is needed here." in text_of(response.content)
    finally:
        engine.networks.get(network_id).remove()
