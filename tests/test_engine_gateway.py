"""The gateway turns the engine's refusals into Dockboard's errors, each with a fitting status."""

import docker
import pytest
from django.contrib.auth.models import AnonymousUser, User

from dashboard.access.containers import access_container
from dashboard.access.images import access_image
from dashboard.engine import client as gateway
from dashboard.engine import containers as engine_containers
from dashboard.engine.client import translated_errors
from dashboard.engine.errors import BadParameter, Conflict, NotFound
from tests.harness.run import LABEL_KEY, RUN_ID


@pytest.fixture
def running(engine: docker.DockerClient, busybox: str):
    container = engine.containers.run(
        busybox, "sleep 600", detach=True, labels={LABEL_KEY: RUN_ID}, name=f"dockboard-{RUN_ID}"
    )
    yield container
    container.remove(force=True)


def test_missing_container_is_not_found(engine: docker.DockerClient) -> None:
    with pytest.raises(NotFound) as caught:
        engine_containers.inspect_container(f"no-such-container-{RUN_ID}")
    assert caught.value.status == 404
    assert "No such container" in caught.value.message


def test_taken_name_is_a_conflict(running, busybox: str) -> None:
    with pytest.raises(Conflict) as caught, translated_errors():
        gateway.client().create_container(busybox, name=running.name, labels={LABEL_KEY: RUN_ID})
    assert caught.value.status == 409
    assert "is already in use" in caught.value.message


def test_removing_a_running_container_is_a_conflict(running) -> None:
    with pytest.raises(Conflict) as caught, translated_errors():
        gateway.client().remove_container(running.id)
    assert "stop the container before" in caught.value.message.lower() or "force" in (
        caught.value.message
    )


def test_invalid_name_is_a_bad_parameter(busybox: str) -> None:
    with pytest.raises(BadParameter) as caught, translated_errors():
        gateway.client().create_container(busybox, name="not a name!", labels={LABEL_KEY: RUN_ID})
    assert caught.value.status == 400
    assert "Invalid container name" in caught.value.message


@pytest.mark.django_db
def test_gatekeeper_answers_forbidden_and_missing_alike(
    running, make_container, member: User
) -> None:
    mine = make_container("sleep 600", name="mine", init=True)
    assert access_container(member, mine.name)["Id"] == mine.id
    with pytest.raises(NotFound) as forbidden:
        access_container(member, running.name)  # made with the CLI: the administrators' alone
    with pytest.raises(NotFound) as anonymous:
        access_container(AnonymousUser(), mine.name)
    assert anonymous.value.message == f"No such container: {mine.name}"
    with pytest.raises(NotFound) as missing:
        access_container(member, running.name + "-gone")
    assert forbidden.value.message == f"No such container: {running.name}"
    assert missing.value.message == f"No such container: {running.name}-gone"

    with pytest.raises(NotFound) as forbidden_image:
        access_image(AnonymousUser(), running.image.id)
    assert forbidden_image.value.message == f"No such image: {running.image.id}"
