"""The container list (`docker ps -a`) and its actions, checked against the real engine."""

import docker
import pytest
from django.test import Client

from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import text_of

pytestmark = pytest.mark.django_db


def sleeper(make_container, name: str, *, start: bool = True, **ownership):
    return make_container("sleep 600", name=name, start=start, init=True, **ownership)


def act(client: Client, container, action: str, **extra) -> str:
    response = client.post(
        f"/engines/local/containers/{container.id}/actions/",
        {"action": action, **extra},
        follow=True,
    )
    assert response.status_code == 200
    return text_of(response.content)


def state_of(container) -> str:
    container.reload()
    return container.attrs["State"]["Status"]


def test_list_shows_what_docker_ps_shows(member_client: Client, make_container) -> None:
    running = sleeper(make_container, "web")
    stopped = sleeper(make_container, "idle", start=False)
    text = text_of(member_client.get("/engines/local/containers/").content)
    assert running.name in text and running.id[:12] in text and "Up " in text
    assert stopped.name in text and "Created" in text

    running_only = text_of(member_client.get("/engines/local/containers/?state=running").content)
    assert running.name in running_only and stopped.name not in running_only
    found = text_of(member_client.get(f"/engines/local/containers/?q={stopped.id[:8]}").content)
    assert stopped.name in found and running.name not in found


def test_sorting_by_name(member_client: Client, make_container) -> None:
    sleeper(make_container, "bbb")
    sleeper(make_container, "aaa")
    html = member_client.get(f"/engines/local/containers/?q={RUN_ID}&sort=name").content.decode()
    assert html.index(f"aaa-{RUN_ID}") < html.index(f"bbb-{RUN_ID}")
    html = member_client.get(f"/engines/local/containers/?q={RUN_ID}&sort=-name").content.decode()
    assert html.index(f"bbb-{RUN_ID}") < html.index(f"aaa-{RUN_ID}")


def test_lifecycle_actions_reach_the_engine(member_client: Client, make_container) -> None:
    container = sleeper(make_container, "life")
    text = act(member_client, container, "stop")
    assert f"docker stop {container.name}" in text
    assert state_of(container) == "exited"
    act(member_client, container, "start")
    assert state_of(container) == "running"
    started = container.attrs["State"]["StartedAt"]
    assert f"docker restart {container.name}" in act(member_client, container, "restart")
    assert state_of(container) == "running" and container.attrs["State"]["StartedAt"] != started
    act(member_client, container, "pause")
    assert state_of(container) == "paused"
    act(member_client, container, "unpause")
    assert state_of(container) == "running"
    act(member_client, container, "kill")
    assert state_of(container) == "exited"
    assert container.attrs["State"]["ExitCode"] == 137


def test_removing_a_running_container_needs_force(
    member_client: Client, make_container, engine: docker.DockerClient
) -> None:
    container = sleeper(make_container, "busy")
    text = act(member_client, container, "remove")
    assert "cannot remove a running container" in text.lower()
    assert state_of(container) == "running"
    text = act(member_client, container, "remove", force="on", volumes="on")
    assert f"docker rm -f -v {container.name}" in text
    with pytest.raises(docker.errors.NotFound):
        engine.containers.get(container.id)


def test_rename(member_client: Client, make_container) -> None:
    container = sleeper(make_container, "old")
    text = act(member_client, container, "rename", name=f"new-{RUN_ID}")
    assert f"docker rename old-{RUN_ID} new-{RUN_ID}" in text
    container.reload()
    assert container.name == f"new-{RUN_ID}"
    text = act(member_client, container, "rename", name="no spaces allowed")
    assert "Invalid container name" in text
    container.reload()
    assert container.name == f"new-{RUN_ID}"


def test_unknown_action_is_refused(member_client: Client, make_container) -> None:
    container = sleeper(make_container, "odd")
    assert "Unknown action: explode" in act(member_client, container, "explode")
    assert state_of(container) == "running"


def test_bulk_stop(member_client: Client, make_container) -> None:
    one, two = sleeper(make_container, "one"), sleeper(make_container, "two")
    response = member_client.post(
        "/engines/local/containers/", {"action": "stop", "ids": [one.id, two.id]}, follow=True
    )
    text = text_of(response.content)
    assert f"docker stop {one.name}" in text and f"docker stop {two.name}" in text
    assert state_of(one) == state_of(two) == "exited"


def test_the_live_fragment_keeps_the_selection(member_client: Client, make_container) -> None:
    container = sleeper(make_container, "kept")
    response = member_client.get(
        f"/engines/local/containers/?q={RUN_ID}&ids={container.id}", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html and 'id="container-table"' in html
    assert f'value="{container.id}" id="select-{container.id[:12]}"' in html
    assert "checked" in html.split(f'value="{container.id}"', 1)[1].split(">", 1)[0]


def test_anonymous_post_does_nothing(client: Client, make_container) -> None:
    container = sleeper(make_container, "safe")
    response = client.post(f"/engines/local/containers/{container.id}/actions/", {"action": "stop"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert state_of(container) == "running"


def test_prune_preview_equals_what_is_removed(
    member_client: Client, make_container, engine, member, team, admin
) -> None:
    label = f"{LABEL_KEY}={RUN_ID}"  # only this run's containers: the tests touch nothing else
    stopped = [
        sleeper(make_container, "gone-a", start=False),
        sleeper(make_container, "gone-b", start=False),
    ]
    kept = sleeper(make_container, "kept-running")
    not_mine = sleeper(make_container, "admins", start=False, owner=admin)
    preview = member_client.get(f"/engines/local/containers/prune/?label={label}").content.decode()
    shown = {line.split("</code>")[0] for line in preview.split("<li><code>")[1:]}
    expected = {
        c.id
        for c in engine.containers.list(all=True, filters={"label": label, "status": "created"})
    }
    expected.discard(not_mine.id)  # the member prunes only their own
    assert shown == expected and {c.id for c in stopped} <= shown and kept.id not in shown
    done = text_of(member_client.post("/engines/local/containers/prune/", {"label": label}).content)
    for container in stopped:  # removed one by one: a prune by label would take forged ones
        assert f"docker rm {container.name}" in done
    for container_id in shown:
        assert container_id in done
    assert state_of(kept) == "running" and state_of(not_mine) == "created"
    for container in stopped:
        with pytest.raises(docker.errors.NotFound):
            container.reload()


def test_an_administrators_prune_leaves_another_installations_containers(
    admin_client: Client, engine: docker.DockerClient, busybox: str
) -> None:
    """`docker container prune` takes every stopped container; Dockboard's, for an
    administrator, every one but another installation's on the same engine (its own to prune,
    reap and count): the CLI's go, theirs stay."""
    label = f"{LABEL_KEY}={RUN_ID}"
    clis = engine.containers.create(busybox, "true", labels={LABEL_KEY: RUN_ID})
    theirs = engine.containers.create(
        busybox, "true", labels={LABEL_KEY: RUN_ID, "dockboard.installation": "another"}
    )
    preview = text_of(admin_client.get(f"/engines/local/containers/prune/?label={label}").content)
    assert clis.id in preview and theirs.id not in preview
    done = text_of(admin_client.post("/engines/local/containers/prune/", {"label": label}).content)
    assert f"docker rm {clis.name}" in done and theirs.name not in done
    with pytest.raises(docker.errors.NotFound):
        clis.reload()
    assert state_of(theirs) == "created"
