"""A class spreads its sessions over its team's engines by free memory (the engine's total less
the requests of Dockboard's running containers there), and each session works on the engine
that holds it: its containers, its terminal, its end. An engine that is down is passed over; a
learner's workspace keeps their sessions on its engine."""

from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from dashboard.models import Team
from dashboard.policy import labels
from dashboard.policy.ownership import installation_id
from labs import actions, launch, placement, runtime
from labs.library import import_template
from labs.models import LabClass, LabSession
from tests.harness.accounts import PASSWORD, join, session_cookie, signed_in
from tests.harness.installation import OtherInstallation
from tests.lab_fixtures import remove_lab_objects
from tests.pages import text_of
from tests.terminal_client import TerminalClient

# Transactional: the engines are asked from threads of their own, which read their addresses.
pytestmark = pytest.mark.django_db(transaction=True)


def free_memory(client: docker.DockerClient) -> int:
    """The oracle, from the SDK: what the placement should find free on that engine (the
    limits of this installation's running containers: another's, and the world's claims,
    hold nothing of ours)."""
    mine = {"label": [labels.MEMORY, f"{labels.INSTALLATION}={installation_id()}"]}
    held = sum(
        int(c.labels[labels.MEMORY])
        for c in client.containers.list(filters=mine)
        if c.labels[labels.MEMORY].isdecimal()
    )
    return client.info()["MemTotal"] - held


@pytest.fixture
def engines(
    on_second: docker.DockerClient,
    engine: docker.DockerClient,
    team: Team,
    other: OtherInstallation,
) -> Iterator[dict[str, docker.DockerClient]]:
    team.engines = "local\nsecond"
    team.save()
    remove_lab_objects(on_second, other)
    yield {"local": engine, "second": on_second}
    remove_lab_objects(on_second, other)


@pytest.fixture
def learners(team: Team) -> list[User]:
    return [
        join(User.objects.create_user(f"learner{n}", password=PASSWORD), team, "member")
        for n in range(4)
    ]


def start(learner: User, lab_class: LabClass) -> LabSession:
    session = actions.start_session(learner, lab_class)
    launch.launch(session.pk)
    session.refresh_from_db()
    return session


def test_each_session_goes_to_the_engine_with_the_most_memory_free(
    engines: dict[str, docker.DockerClient], lab_class: LabClass, learners: list[User]
) -> None:
    placed = []
    for learner in learners:
        free = {name: free_memory(client) for name, client in engines.items()}
        expected = max(free, key=free.__getitem__)  # local first: the class's engine on a tie
        session = start(learner, lab_class)
        assert session.state == LabSession.State.RUNNING, session.error
        assert session.engine == expected
        holder, other = engines[expected], engines[({"local", "second"} - {expected}).pop()]
        container = holder.containers.get(runtime.container_name(session, "shell"))
        assert container.status == "running"
        assert int(container.labels[labels.MEMORY]) == 64 * 1024**2
        with pytest.raises(docker.errors.NotFound):
            other.containers.get(runtime.container_name(session, "shell"))
        placed.append(session)
    assert {s.engine for s in placed} == {"local", "second"}
    for session in placed:
        actions.end_session(session.learner, session)
        ours = [f"{labels.LAB_SESSION}={session.pk}", f"{labels.INSTALLATION}={installation_id()}"]
        assert not engines[session.engine].containers.list(all=True, filters={"label": ours})


def test_the_roster_says_where_each_session_runs(
    engines: dict[str, docker.DockerClient],
    lab_class: LabClass,
    learners: list[User],
    instructor: User,
) -> None:
    sessions = [start(learner, lab_class) for learner in learners[:2]]
    rows = text_of(signed_in(instructor).get(f"/classes/{lab_class.pk}/").content)
    assert "Engine" in rows and "engines local, second" in rows
    for session in sessions:
        assert f"{session.learner.username} running {session.engine}" in rows


@pytest.mark.asyncio
async def test_a_session_on_the_second_engine_has_its_terminal_there(
    engines: dict[str, docker.DockerClient], lab_class: LabClass, learners: list[User]
) -> None:
    first = await database_sync_to_async(start)(learners[0], lab_class)
    session = await database_sync_to_async(start)(learners[1], lab_class)
    assert (first.engine, session.engine) == ("local", "second")
    container = engines["second"].containers.get(runtime.container_name(session, "shell"))
    page = await database_sync_to_async(learner_page)(learners[1], session)
    path = f"/engines/second/ws/containers/{container.id}/attach/"
    assert f'data-attach-url="{path}"' in page
    client = TerminalClient(path, await database_sync_to_async(session_cookie)(learners[1]))
    assert await client.connect()
    await client.event("hello")
    await client.send(b"hostname\n")
    await client.read_until(b"shell\r\n")  # the service's hostname, on the second engine
    await client.close()


def learner_page(learner: User, session: LabSession) -> str:
    response = signed_in(learner).get(f"/sessions/{session.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_engine_that_is_down_is_passed_over(
    engines: dict[str, docker.DockerClient],
    lab_class: LabClass,
    learners: list[User],
    team: Team,
    tmp_path: Path,
) -> None:
    call_command("engine", "add", "gone", f"unix://{tmp_path}/nothing.sock")
    team.engines = "gone\nlocal"
    team.save()
    session = start(learners[0], lab_class)
    assert (session.state, session.engine) == (LabSession.State.RUNNING, "local")
    team.engines = "gone"
    team.save()
    with pytest.raises(actions.LabError, match=f"No engine of team {team.name} answers now"):
        actions.start_session(learners[1], lab_class)


def test_no_engine_with_room_refuses_the_session_and_says_why(
    engines: dict[str, docker.DockerClient],
    small_lab_source: str,
    instructor: User,
    learners: list[User],
    team: Team,
) -> None:
    total = max(c.info()["MemTotal"] for c in engines.values())
    too_much = total // 1024**2 + 1024  # a GiB more than the larger engine has
    team.max_memory = team.member_memory = team.team_memory = 4 * too_much * 1024**2
    team.save()
    # It requests all of it (a limit alone would be admitted: requests are what count).
    huge = f'memory = "{too_much}m"\nmemory_request = "{too_much}m"'
    source = small_lab_source.replace('memory = "64m"', huge)
    version = import_template(source.replace('slug = "small-', 'slug = "huge-'), instructor)
    lab_class = actions.open_class(instructor, version, team, {})
    response = signed_in(learners[0]).post(f"/classes/{lab_class.pk}/start/")
    text = text_of(response.content)
    assert response.status_code == 400
    assert f"No engine of team {team.name} has room for a session" in text
    assert "the most free is" in text
    assert not LabSession.objects.filter(lab_class=lab_class).exists()
    ours = [labels.LAB_SESSION, f"{labels.INSTALLATION}={installation_id()}"]
    for client_of_engine in engines.values():
        assert not client_of_engine.containers.list(all=True, filters={"label": ours})


def test_a_session_is_placed_by_what_it_requests_not_its_limit(
    engines: dict[str, docker.DockerClient],
    small_lab_source: str,
    instructor: User,
    learners: list[User],
    team: Team,
) -> None:
    """A shell allowed to burst past what any engine has, requesting the team's 64 MiB: it is
    placed (with the default overcommit of 1.0, fifty such fit in 3.2 GiB)."""
    total = max(c.info()["MemTotal"] for c in engines.values())
    too_much = total // 1024**2 + 1024
    team.max_memory = team.member_memory = team.team_memory = 4 * too_much * 1024**2
    team.save()
    source = small_lab_source.replace('memory = "64m"', f'memory = "{too_much}m"')
    version = import_template(source.replace('slug = "small-', 'slug = "burst-'), instructor)
    lab_class = actions.open_class(instructor, version, team, {})
    assert placement.session_memory(lab_class) == 64 * 1024**2
    response = signed_in(learners[0]).post(f"/classes/{lab_class.pk}/start/")
    assert response.status_code == 302, text_of(response.content)


def test_a_learners_sessions_follow_their_workspace_to_its_engine(
    engines: dict[str, docker.DockerClient],
    small_lab_source: str,
    instructor: User,
    learners: list[User],
    team: Team,
) -> None:
    source = small_lab_source.replace("tty = true", 'tty = true\nworkspace = "/work"', 1)
    version = import_template(source.replace('slug = "small-', 'slug = "kept-'), instructor)
    lab_class = actions.open_class(instructor, version, team, {})
    first_other, learner, second_other = learners[:3]
    try:
        assert start(first_other, lab_class).engine == "local"  # the class's, on a tie
        first = start(learner, lab_class)
        assert first.engine == "second", first.error  # the most free
        actions.end_session(learner, first)
        assert start(second_other, lab_class).engine == "second"
        # A tie again, which local would win: the learner's workspace is on the second.
        again = start(learner, lab_class)
        assert again.state == LabSession.State.RUNNING, again.error
        assert again.engine == "second"
    finally:
        for session in lab_class.sessions.filter(state__in=LabSession.ACTIVE):
            runtime.finish(session, LabSession.State.ENDED)
        for client in engines.values():
            for volume in client.volumes.list(filters={"name": "dockboard-workspace-"}):
                if version.lab.slug in volume.name:
                    volume.remove(force=True)


def test_an_engines_own_overcommit_ratio_bounds_what_placement_gives_it(
    engines: dict[str, docker.DockerClient],
    lab_class: LabClass,
    learners: list[User],
    admin: User,
) -> None:
    call_command("engine", "set", "second", "--overcommit", "0.1")
    # A tenth of its memory: the local engine, all of its own, has more room for each.
    placed = [start(learner, lab_class) for learner in learners[:2]]
    assert [s.engine for s in placed] == ["local", "local"]
    call_command("engine", "set", "second", "--overcommit", "20")
    assert start(learners[2], lab_class).engine == "second"
    with pytest.raises(CommandError, match=r"between 0\.1 and 20"):
        call_command("engine", "set", "second", "--overcommit", "50")
    with pytest.raises(CommandError, match="DOCKBOARD_OVERCOMMIT"):
        call_command("engine", "set", "local", "--overcommit", "2")
    page = signed_in(admin).get("/engines/")
    assert "\N{MULTIPLICATION SIGN}20" in text_of(page.content)
    for session in lab_class.sessions.filter(state__in=LabSession.ACTIVE):
        runtime.finish(session, LabSession.State.ENDED)
