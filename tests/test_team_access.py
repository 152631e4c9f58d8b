"""Roles on containers: members see and change their own, instructors their team's, viewers
only look, outsiders see nothing; the rest is "not found", over HTTP and websockets alike."""

import docker
import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.test import Client

from dashboard.models import AuditEvent
from tests.harness.accounts import session_cookie, signed_in
from tests.harness.run import RUN_ID
from tests.pages import text_of
from tests.terminal_client import TerminalClient

CONTAINER_PAGES = ["", "terminal/", "tabs/logs/", "tabs/inspect/", "tabs/changes/",
                   "tabs/processes/", "tabs/stats/", "logs/download/"]  # fmt: skip


def sleeper(make_container, name: str, **ownership):
    return make_container("sleep 600", name=name, init=True, **ownership)


def refs_of(containers: list) -> list[str]:
    """100 ways to name these containers: ids, short ids, prefixes and names."""
    refs = []
    for container in containers:
        refs += [container.id, container.id[:12], container.name, container.id[:8]]
        refs += [container.id[:length] for length in range(4, 64, 2)]
    return refs[:100]


def common_length(one: str, other: str) -> int:
    """How many characters two ids of one length begin with alike."""
    return next((at for at, (a, b) in enumerate(zip(one, other, strict=True)) if a != b), len(one))


@pytest.mark.django_db
def test_each_role_sees_what_it_may(
    make_container, member, other_member, instructor, viewer, outsider, admin
) -> None:
    mine = sleeper(make_container, "mine")
    theirs = sleeper(make_container, "theirs", owner=other_member)
    cli_made = sleeper(make_container, "cli", owner=None)
    names = {c.name for c in (mine, theirs, cli_made)}

    def seen(user: User) -> set[str]:
        text = text_of(signed_in(user).get(f"/engines/local/containers/?q={RUN_ID}").content)
        return {name for name in names if name in text}

    assert seen(member) == {mine.name}
    assert seen(other_member) == {theirs.name}
    assert seen(instructor) == seen(viewer) == {mine.name, theirs.name}
    assert seen(admin) == names
    assert seen(outsider) == set()
    page = text_of(signed_in(outsider).get("/engines/local/").content)
    assert "You are not on any team yet" in page


@pytest.mark.django_db
def test_a_member_finds_nothing_of_anyone_elses(
    make_container, member: User, other_member: User, admin: User
) -> None:
    others = [
        sleeper(make_container, "b", owner=other_member),
        sleeper(make_container, "admins", owner=admin),
        sleeper(make_container, "cli", owner=None),
    ]
    client = signed_in(member)
    refs = refs_of(others)
    assert len(refs) == 100
    for ref in refs:
        for page in CONTAINER_PAGES:
            response = client.get(f"/engines/local/containers/{ref}/{page}")
            assert response.status_code == 404, (ref, page)
            assert f"No such container: {ref}" in text_of(response.content)
        response = client.post(
            f"/engines/local/containers/{ref}/actions/", {"action": "stop"}, follow=True
        )
        assert f"No such container: {ref}" in text_of(response.content)
    for container in others:
        container.reload()
        assert container.status == "running"
    attempts = AuditEvent.objects.filter(actor=member, action="stop", outcome="refused")
    assert sorted(attempts.values_list("target_name", flat=True)) == sorted(refs)


@pytest.mark.django_db
def test_a_short_id_shared_with_a_hidden_container_opens_ones_own(
    engine: docker.DockerClient, make_container, member: User, other_member: User, admin: User
) -> None:
    """The engine refuses a short id that begins several ids. Dockboard looks only among the
    containers the user may see: another's container neither blocks it nor shows through."""
    mine = make_container(name="mine", start=False)
    theirs: list = []
    while not any(container.id[0] == mine.id[0] for container in theirs):
        assert len(theirs) < 200
        theirs.append(make_container(name=f"theirs{len(theirs)}", start=False, owner=other_member))
    others = [c.id for c in engine.containers.list(all=True) if c.id != mine.id]
    shared = max(common_length(mine.id, other) for other in others)
    prefix = mine.id[:shared]
    with pytest.raises(docker.errors.APIError, match="Multiple IDs"):
        engine.api.inspect_container(prefix)

    page = signed_in(member).get(f"/engines/local/containers/{prefix}/")
    assert page.status_code == 200
    assert mine.name in text_of(page.content)
    started = signed_in(member).post(
        f"/engines/local/containers/{prefix}/actions/", {"action": "start"}, follow=True
    )
    assert f"Started {mine.name}" in text_of(started.content)

    beginning = [other for other in [*others, mine.id] if other.startswith(prefix)]
    page = signed_in(admin).get(f"/engines/local/containers/{prefix}/")
    assert page.status_code == 400
    assert f"{len(beginning)} containers begin with {prefix}: give more of the id." in text_of(
        page.content
    )


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_both_websocket_routes_refuse_anyone_elses_container(
    make_container, member: User, other_member: User, admin: User
) -> None:
    others = [sleeper(make_container, "b", owner=other_member),
              sleeper(make_container, "admins", owner=admin)]  # fmt: skip
    cookie = await database_sync_to_async(session_cookie)(member)
    for ref in refs_of(others):
        for route in ("attach", "exec"):
            client = TerminalClient(f"/ws/containers/{ref}/{route}/", cookie)
            assert not await client.connect(), (ref, route)
    for container in others:
        assert not container.client.api.inspect_container(container.id)["ExecIDs"]


@pytest.mark.django_db
def test_a_viewer_may_look_but_not_act(
    make_container, viewer: User, engine: docker.DockerClient
) -> None:
    container = sleeper(make_container, "watched")
    client = signed_in(viewer)
    assert client.get(f"/engines/local/containers/{container.id}/").status_code == 200
    assert client.get(f"/engines/local/containers/{container.id}/tabs/logs/").status_code == 200
    for action in ("stop", "kill", "remove"):
        response = client.post(
            f"/engines/local/containers/{container.id}/actions/", {"action": action}
        )
        assert response.status_code == 403
        assert "You may only look at this container." in text_of(response.content)
    container.reload()
    assert container.status == "running"
    refused = AuditEvent.objects.filter(actor=viewer, outcome="refused")
    assert sorted(refused.values_list("action", flat=True)) == ["kill", "remove", "stop"]
    response = client.post("/engines/local/containers/new/", {"image": "x", "create": "1"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_an_instructor_acts_on_the_teams_containers(
    make_container, instructor: User, other_member: User
) -> None:
    container = sleeper(make_container, "pupils", owner=other_member)
    response = signed_in(instructor).post(
        f"/engines/local/containers/{container.id}/actions/", {"action": "stop"}, follow=True
    )
    assert f"docker stop {container.name}" in text_of(response.content)
    container.reload()
    assert container.status == "exited"


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_viewers_terminal_input_is_dropped_by_the_server(make_container, viewer) -> None:
    container = make_container("cat", name="typed")
    cookie = await database_sync_to_async(session_cookie)(viewer)
    client = TerminalClient(f"/ws/containers/{container.id}/attach/", cookie)
    assert await client.connect()
    assert (await client.event("hello"))["stdin"] is False
    await client.send(b"viewer was here\n")
    await client.drain(0.5)
    assert b"viewer was here" not in client.output
    logs = container.logs()
    assert b"viewer was here" not in logs
    exec_client = TerminalClient(f"/ws/containers/{container.id}/exec/", cookie)
    assert await exec_client.connect()
    error = await exec_client.event("error")
    assert error["message"] == "You may only look at this container."
    assert not container.client.api.inspect_container(container.id)["ExecIDs"]
    await client.close()


def test_a_user_with_no_team_is_told_why(outsider: User) -> None:
    client: Client = signed_in(outsider)
    assert "You are not on any team yet" in text_of(
        client.get("/engines/local/containers/").content
    )
