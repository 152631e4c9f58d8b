"""`docker commit` from the container's page: the container's layer becomes the new image's top
layer, above the original layers, unchanged (the SDK is the oracle)."""

import contextlib
from collections.abc import Iterator

import docker
import pytest
from django.contrib.auth.models import User
from django.test import Client

from dashboard.models import AuditEvent, OwnershipRecord, Team
from dashboard.policy import labels
from tests.harness.accounts import signed_in
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import get_ok, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(engine: docker.DockerClient, registry: str) -> Iterator[str]:
    reference = f"{registry}/dockboard-test/committed-{RUN_ID}:v1"
    yield reference
    with contextlib.suppress(docker.errors.ImageNotFound):
        engine.images.remove(reference, force=True)


@pytest.fixture
def changed(make_container):
    container = make_container(["sh", "-c", "echo 안녕 > /hello.txt; sleep 600"], init=True)
    container.exec_run("true")  # the shell has run its first command by now
    return container


def commit(client: Client, container, repository: str, **fields: str):
    data = {"repository": repository, "message": "", "author": "", "changes": "", **fields}
    return client.post(f"/engines/local/containers/{container.id}/commit/", data, follow=True)


def test_commit_puts_the_containers_layer_on_top_of_the_unchanged_ones(
    member_client: Client,
    engine: docker.DockerClient,
    changed,
    target: str,
    member: User,
    team: Team,
) -> None:
    response = commit(
        member_client, changed, target, message="said hello", changes='CMD ["cat", "/hello.txt"]'
    )
    text = text_of(response.content)
    assert "docker commit -m 'said hello' -a '' " not in text
    assert "docker commit -m 'said hello' --change 'CMD [\"cat\", \"/hello.txt\"]'" in text
    image = engine.images.get(target)
    original = engine.images.get(changed.image.id)
    layers, below = image.attrs["RootFS"]["Layers"], original.attrs["RootFS"]["Layers"]
    assert layers[: len(below)] == below and len(layers) == len(below) + 1
    assert image.attrs["Config"]["Labels"][labels.OWNER] == ""  # the record says whose it is
    record = OwnershipRecord.objects.get(kind="image", object_id=image.id)
    assert (record.owner_id, record.team_id) == (member.pk, team.pk)
    output = engine.containers.run(target, remove=True, labels={LABEL_KEY: RUN_ID})
    assert output.decode() == "안녕\n"
    assert "said hello" in text  # the image page's history shows the new layer's comment
    assert text.index("said hello") < text.index("Containers from this image")
    assert AuditEvent.objects.filter(action="commit", outcome="ok").count() == 1


def test_only_the_owner_commits(
    engine: docker.DockerClient, changed, target: str, other_member: User, outsider: User
) -> None:
    for user in (other_member, outsider):
        client = signed_in(user)
        assert client.get(f"/engines/local/containers/{changed.id}/commit/").status_code == 404
        assert commit(client, changed, target).status_code == 404
    with pytest.raises(docker.errors.ImageNotFound):
        engine.images.get(target)


def test_commit_never_overwrites_someone_elses_image(
    member_client: Client, engine: docker.DockerClient, changed, busybox: str
) -> None:
    before = engine.images.get(busybox).id
    response = commit(member_client, changed, busybox)
    assert response.status_code == 400
    assert "already names an image that is not yours" in text_of(response.content)
    assert engine.images.get(busybox).id == before
    assert AuditEvent.objects.filter(action="commit", outcome="refused").count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"repository": "elsewhere/not-allowed:v1"}, "is not on the list of images"),
        ({"changes": "RUN rm -rf /"}, "'RUN rm -rf /' is not allowed"),
        ({"changes": "LABEL dockboard.owner=1"}, "Labels starting with dockboard."),
        ({"repository": "Bad Name"}, "must be lowercase"),
    ],
)
def test_commit_refusals_name_the_field(
    member_client: Client, engine: docker.DockerClient, changed, target: str, fields, message
) -> None:
    response = commit(member_client, changed, fields.pop("repository", target), **fields)
    assert response.status_code == 400
    assert message.lower() in text_of(response.content).lower()
    with pytest.raises(docker.errors.ImageNotFound):
        engine.images.get(target)


def test_the_detail_page_offers_commit(member_client: Client, changed) -> None:
    assert "Commit to an image" in text_of(
        get_ok(member_client, f"/engines/local/containers/{changed.id}/")
    )
