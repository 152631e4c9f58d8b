"""A volume's files, read through a container the gate makes and removes: browsed and
downloaded by whoever may see the volume, changed through a container that mounts it; a link
in the volume never leads outside it."""

import io
import tarfile

import docker
import pytest
from django.contrib.auth.models import User

from dashboard.models import AuditEvent, Team
from dashboard.policy.volume_readers import READER
from tests.harness.accounts import signed_in
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import get_ok, streamed, text_of
from tests.test_volumes import create, create_mounting, volume_name, volumes_removed  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)
WRITE = (
    "mkdir -p /data/docs && echo 'kept across containers' > /data/docs/readme.txt && "
    "ln -s /etc /data/escape && ln -s docs /data/inside"
)


@pytest.fixture
def volume(member: User, team: Team, engine: docker.DockerClient, busybox: str) -> str:
    """The member's volume, its files written by a container of theirs that mounts it."""
    client = signed_in(member)
    name = volume_name("files")
    create(client, team, name)
    created = create_mounting(client, team, busybox, f"writer-{name}", name)
    assert created.status_code == 302
    engine.containers.run(
        busybox, ["sh", "-c", WRITE], volumes=[f"{name}:/data"], labels={LABEL_KEY: RUN_ID},
        remove=True,
    )  # fmt: skip
    return name


def _readers(engine: docker.DockerClient) -> list:
    return engine.containers.list(all=True, filters={"label": READER})


def test_the_owner_browses_and_downloads_a_volumes_files(
    volume: str, member: User, engine: docker.DockerClient
) -> None:
    client = signed_in(member)
    detail = get_ok(client, f"/engines/local/volumes/{volume}/").decode()
    assert f'href="/engines/local/volumes/{volume}/files/"' in detail
    writer = engine.containers.get(f"writer-{volume}")
    assert f'href="/engines/local/containers/{writer.id}/files/?path=/data"' in detail

    top = text_of(get_ok(client, f"/engines/local/volumes/{volume}/files/"))
    assert "docs/" in top and "escape → /etc" in top and "inside → docs" in top
    assert f"$ docker run --rm -v {volume}:/volume:ro busybox tar -cf - -C /volume ." in top
    readme = get_ok(client, f"/engines/local/volumes/{volume}/files/?path=/docs/readme.txt")
    assert "kept across containers" in readme.decode() and b"<textarea" not in readme
    inside = client.get(f"/engines/local/volumes/{volume}/files/?path=/inside")
    assert inside["Location"] == f"/engines/local/volumes/{volume}/files/?path=%2Fdocs"
    # The link leads to /etc of the reading container: outside the volume, so nowhere.
    escape = client.get(f"/engines/local/volumes/{volume}/files/?path=/escape")
    assert escape.status_code == 404 and "Nothing is at /escape" in text_of(escape.content)

    response = client.get(f"/engines/local/volumes/{volume}/files/download/?path=/docs")
    with tarfile.open(fileobj=io.BytesIO(streamed(response)), mode="r:") as tar:
        assert tar.extractfile("docs/readme.txt").read() == b"kept across containers\n"
    event = AuditEvent.objects.get(action="file-download", target_kind="volume")
    assert event.target_id == volume
    assert _readers(engine) == []  # every reading container is gone


def test_a_volume_is_browsed_by_those_who_see_it_alone(
    volume: str, other_member: User, outsider: User, admin: User, engine: docker.DockerClient
) -> None:
    for stranger in (other_member, outsider):
        client = signed_in(stranger)
        assert client.get(f"/engines/local/volumes/{volume}/files/").status_code == 404
        url = f"/engines/local/volumes/{volume}/files/download/?path=/docs"
        assert client.get(url).status_code == 404
    assert "docs/" in text_of(get_ok(signed_in(admin), f"/engines/local/volumes/{volume}/files/"))
    assert _readers(engine) == []
