"""Recreate: a member's container made again from the image its reference names now, with its
name, settings and named volume, through the policy gate; for its owner alone, and a refusal
leaves the old container as it was."""

from collections.abc import Iterator

import docker
import pytest
from django.contrib.auth.models import User

from dashboard.models import AuditEvent, Team
from tests.harness.accounts import signed_in
from tests.harness.images import build_busybox_image
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import get_ok, text_of

pytestmark = pytest.mark.django_db(transaction=True)
NAME, VOLUME = f"svc-{RUN_ID}", f"svcdata-{RUN_ID}"


@pytest.fixture
def service(member: User, engine: docker.DockerClient, registry: str) -> Iterator[tuple]:
    """A member's running container from a tag about to be pushed again; removed after."""
    reference = f"{registry}/dockboard-test/service:{RUN_ID}"
    first = build_busybox_image(engine, reference, {LABEL_KEY: RUN_ID, "edition": "1"})
    fields = {
        "image": reference, "name": NAME, "interactive": "on", "tty": "on",
        "command": "sh -c 'echo $MODE > /data/mode; sleep 600'", "env": "MODE=test",
        "mounts": f"{VOLUME}:/data", "memory": "64m", "restart": "on-failure:3",
        "labels": f"{LABEL_KEY}={RUN_ID}\nrole=web", "run": "1",
    }  # fmt: skip
    made = signed_in(member).post("/engines/local/containers/new/", fields)
    assert made.status_code == 302, text_of(made.content)[-600:]
    old = engine.containers.get(NAME)
    second = build_busybox_image(engine, reference, {LABEL_KEY: RUN_ID, "edition": "2"})
    yield old, first, second
    for container in engine.containers.list(all=True, filters={"label": f"{LABEL_KEY}={RUN_ID}"}):
        if container.name.startswith(NAME):
            container.remove(force=True)
    engine.volumes.get(VOLUME).remove(force=True)


def test_a_container_is_made_again_from_the_updated_image(
    service: tuple, member: User, other_member: User, engine: docker.DockerClient
) -> None:
    old, _first, second = service
    client = signed_in(member)
    path = f"/engines/local/containers/{old.id}/recreate/"
    detail = get_ok(client, f"/engines/local/containers/{old.id}/").decode()
    assert "names a newer image than this container runs" in text_of(detail)
    assert f'href="{path}"' in detail
    preview = text_of(get_ok(client, path))
    assert "names a newer image than the one" in preview
    assert f"$ docker stop {NAME} $ docker rename {NAME} {NAME}-replaced-{old.id[:12]}" in preview
    assert "-e MODE=test" in preview and f"-v {VOLUME}:/data" in preview
    assert "--memory 64m" in preview and "--restart on-failure:3" in preview
    assert f"$ docker rm {NAME}-replaced-{old.id[:12]}" in preview
    assert signed_in(other_member).post(path).status_code == 404  # not theirs to see

    response = client.post(path)
    new = engine.containers.get(NAME)
    assert response["Location"] == f"/engines/local/containers/{new.id}/"
    assert new.id != old.id and new.image.id == second and new.status == "running"
    config, host = new.attrs["Config"], new.attrs["HostConfig"]
    assert "MODE=test" in config["Env"] and config["Labels"]["role"] == "web"
    assert host["Memory"] == 64 * 1024**2 and host["RestartPolicy"]["MaximumRetryCount"] == 3
    assert host["CapDrop"] == ["ALL"]  # written by the gate again
    assert [m["Name"] for m in new.attrs["Mounts"]] == [VOLUME]
    assert new.exec_run(["cat", "/data/mode"]).output == b"test\n"
    with pytest.raises(docker.errors.NotFound):
        engine.containers.get(old.id)
    assert NAME in text_of(get_ok(client, "/engines/local/containers/"))  # still theirs
    detail = text_of(get_ok(client, f"/engines/local/containers/{new.id}/"))
    assert "names a newer image" not in detail
    assert AuditEvent.objects.filter(action="recreate", target_id=new.id).exists()


def test_a_refused_recreate_leaves_the_old_container_as_it_was(
    service: tuple, member: User, team: Team, engine: docker.DockerClient
) -> None:
    old, first, _second = service
    team.max_memory = 32 * 1024**2  # the container's 64m is over the team's limit now
    team.save(update_fields=["max_memory"])
    page = signed_in(member).post(f"/engines/local/containers/{old.id}/recreate/", follow=True)
    assert "64 MiB asked; 32 MiB is the most this team allows." in text_of(page.content)
    kept = engine.containers.get(NAME)
    assert kept.id == old.id and kept.status == "running" and kept.image.id == first
    assert len(engine.containers.list(all=True, filters={"name": NAME})) == 1
