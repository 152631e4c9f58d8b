"""A lab session's workstation: a terminal with the `docker` CLI, whose socket is the session's
own Engine API endpoint. What the learner types there is theirs alone, passes the gate with the
pages' messages, is audited, and ends with the session."""

import time

import docker
import pytest
from django.contrib.auth.models import User

from dashboard.engine import workstation
from dashboard.interfaces import session_sockets
from dashboard.models import AuditEvent, Team
from dockerapi.models import ApiToken
from labs import actions, runtime
from labs.launch import launch as launch_on_worker
from labs.library import import_template
from labs.models import LabSession
from labs.template import TemplateError, parse
from tests.harness.run import RUN_ID

pytestmark = pytest.mark.django_db(transaction=True)

WORKSTATION_LAB = """\
slug = "typed-{run}"
title = {{ en = "The chapter, typed", ko = "명령으로 따라 하는 장" }}

[time]
minutes = 30
idle_minutes = 10
extend_minutes = 5
max_extend_minutes = 10

[[services]]
name = "terminal"
kind = "workstation"
memory = "64m"

[[steps]]
title = "Run a container"
text = "Run a container named `mine-${{learner}}`."

[[steps.checks]]
kind = "engine"
container = {{ name = "mine-${{learner}}" }}
"""


def until(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def workstation_session(
    endpoint: str, lab_objects_removed: None, instructor: User, member: User, team: Team
) -> LabSession:
    version = import_template(WORKSTATION_LAB.format(run=RUN_ID.lower()), instructor)
    lab_class = actions.open_class(instructor, version, team, {})
    session = actions.start_session(member, lab_class)
    launch_on_worker(session.pk)
    session.refresh_from_db()
    assert session.state == LabSession.State.RUNNING, session.error
    assert until(session_sockets.path(session.pk).exists)
    return session


def test_the_learner_types_docker_in_the_workstation(
    workstation_session: LabSession,
    member: User,
    other_member: User,
    busybox: str,
    engine: docker.DockerClient,
    world,
) -> None:
    session = workstation_session
    station = engine.containers.get(runtime.container_name(session, "terminal"))

    def typed(command: str) -> tuple[int, str]:
        code, output = station.exec_run(["sh", "-c", command])
        return code, output.decode()

    code, listed = typed("docker ps -a --format '{{.Names}}'")
    assert code == 0 and listed.split() == [station.name]  # the world's and others' are hidden
    code, said = typed(f"docker run --rm {busybox} echo typed in a workstation")
    assert (code, said) == (0, "typed in a workstation\n")
    code, said = typed(f"docker run --privileged {busybox} true")
    assert code != 0
    assert "--privileged is not allowed in team" in said
    assert typed(f"docker run -d --name mine-member {busybox} sleep 600")[0] == 0
    mine = engine.containers.get("mine-member")
    assert mine.labels.get("dockboard.lab.session") == str(session.pk)
    commands = set(AuditEvent.objects.filter(actor=member).values_list("command", flat=True))
    assert f"docker create --name mine-member {busybox} sleep 600" in commands

    actions.end_session(member, session)
    assert until(lambda: not session_sockets.directory(session.pk).exists())
    assert not ApiToken.objects.filter(session_id=session.pk, revoked_at=None).exists()
    with pytest.raises(docker.errors.NotFound):
        mine.reload()


def test_a_warm_workstation_speaks_for_the_learner_who_claims_it_and_no_one_before(
    endpoint: str,
    lab_objects_removed: None,
    instructor: User,
    member: User,
    team: Team,
    busybox: str,
    engine: docker.DockerClient,
) -> None:
    from django.utils import timezone

    from labs import pool

    version = import_template(WORKSTATION_LAB.format(run=RUN_ID.lower()), instructor)
    lab_class = actions.open_class(instructor, version, team, {}, learners_expected=1)
    pool.fill(timezone.now())
    (warm,) = lab_class.sessions.filter(learner__isnull=True)
    launch_on_worker(warm.pk)
    station = engine.containers.get(runtime.container_name(warm, "terminal"))
    assert station.status == "running"
    # Made for the team: its socket speaks for no one yet (the endpoint serves a session's
    # socket only for its token).
    assert not ApiToken.objects.filter(session_id=warm.pk).exists()

    session = actions.start_session(member, lab_class)
    try:
        assert session.pk == warm.pk
        assert ApiToken.objects.get(session_id=warm.pk, revoked_at=None).user_id == member.pk
        assert until(session_sockets.path(session.pk).exists)
        code, listed = station.exec_run(["sh", "-c", "docker ps -a --format '{{.Names}}'"])
        assert code == 0 and listed.decode().split() == [station.name]
        run = f"docker run -d --name mine-member {busybox} sleep 60"
        code, said = station.exec_run(["sh", "-c", run])
        assert code == 0, said
        mine = engine.containers.get("mine-member")
        assert mine.labels["dockboard.owner"] == str(member.pk)
        assert mine.labels["dockboard.lab.session"] == str(session.pk)
    finally:  # its socket goes with it, whatever failed
        actions.end_session(member, session)
        assert until(lambda: not session_sockets.directory(session.pk).exists())


def test_a_workstation_names_no_image() -> None:
    source = WORKSTATION_LAB.format(run="x").replace(
        'kind = "workstation"', 'kind = "workstation"\nimage = "elsewhere/cli:1"'
    )
    with pytest.raises(TemplateError, match="A workstation runs Dockboard's own image"):
        parse(source)


class Terminal:
    """A shell in the workstation with a terminal, as the learner's page opens one."""

    def __init__(self, container) -> None:
        api = container.client.api
        # The page's attach passes Ctrl+P Ctrl+Q through to the shell (dashboard.engine.
        # workstation): this exec, the engine's own, does the same.
        keys = workstation.WORKSTATION_DETACH_SEQUENCE
        exec_id = api.exec_create(container.id, ["sh"], stdin=True, tty=True, detach_keys=keys)[
            "Id"
        ]
        self.connection = api.exec_start(exec_id, socket=True, tty=True)._sock
        self.connection.settimeout(0.1)
        self.output = b""

    def type(self, text: str) -> None:
        self.connection.sendall(text.encode())

    def shows(self, wanted: str, seconds: float = 20.0) -> bool:
        """Whether ``wanted`` appears in what is shown after this call began."""
        start = len(self.output)
        deadline = time.monotonic() + seconds
        while wanted.encode() not in self.output[start:] and time.monotonic() < deadline:
            try:
                self.output += self.connection.recv(65536)
            except TimeoutError:
                continue
        return wanted.encode() in self.output[start:]


def test_the_chapter_typed_each_check_fails_before_its_step_and_passes_after(
    endpoint: str,
    lab_objects_removed: None,
    instructor: User,
    member: User,
    team: Team,
    busybox: str,
    registry: str,
    engine: docker.DockerClient,
) -> None:
    from labs import checks
    from labs.library import install_bundled
    from labs.models import Lab
    from tests.harness.images import push

    image = f"{registry}/dockboard-test/centos-typed-{RUN_ID}:7"
    engine.images.get(busybox).tag(image)
    push(engine, image)
    engine.images.remove(image)
    install_bundled()
    version = Lab.objects.get(slug="docker-engine-cli").latest()
    lab_class = actions.open_class(instructor, version, team, {"image": image})
    session = actions.start_session(member, lab_class)
    launch_on_worker(session.pk)
    session.refresh_from_db()
    assert session.state == LabSession.State.RUNNING, session.error
    assert until(session_sockets.path(session.pk).exists)
    station = engine.containers.get(runtime.container_name(session, "terminal"))

    def typed(line: str) -> str:
        code, output = station.exec_run(["sh", "-c", line])
        assert code == 0, output
        return output.decode()

    def step(index: int, answer: str = "") -> bool:
        return checks.run_step(session, index, answer).passed

    name = "mycentos-member"
    try:
        assert not step(0)
        typed(f"docker pull {image}")
        assert step(0)

        layers = len(engine.images.get(image).attrs["RootFS"]["Layers"])
        assert not step(1, str(layers))
        typed("docker images")
        assert step(1, str(layers)) and not step(1, str(layers + 1))

        assert not step(2, "0" * 64)
        container_id = typed(f"docker create -i -t --name {name} {image}").strip()
        assert step(2, container_id)

        assert not step(3)
        typed(f"docker start {name}")
        assert step(3)

        assert not step(4, container_id[:12])
        terminal = Terminal(station)
        terminal.type(f"docker attach {name}\r")
        terminal.type("\r")
        assert terminal.shows("/ # ")
        terminal.type("hostname\r")
        assert terminal.shows(container_id[:12])
        assert step(4, container_id[:12])

        terminal.type("\x10\x11")  # Ctrl+P, Ctrl+Q
        assert terminal.shows("read escape sequence")
        assert engine.containers.get(name).status == "running"
        typed("docker ps")
        assert step(5)

        assert not step(6)
        terminal.type(f"docker attach {name}\r")
        terminal.type("\r")
        assert terminal.shows("/ # ")
        terminal.type("echo hello > /hello.txt\r")
        terminal.type("exit\r")
        assert until(lambda: engine.containers.get(name).status == "exited", 10)
        assert step(6)

        changes = len(engine.containers.get(name).diff())
        assert not step(7, str(changes))
        typed(f"docker diff {name}")
        assert step(7, str(changes))
        # Steps 3 to 5 saw the container running; it has stopped since: they stay passed.
        assert not step(3)
        session.refresh_from_db()
        assert session.steps_passed == list(range(8))
    finally:
        engine.images.remove(image, force=True)


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ('kind = "command"\nran = "ls -l"', "ran is a docker command line."),
        ('kind = "command"\nran = "docker ps"\nscript = "true"', "A command check takes ran"),
        ('kind = "command"', "ran is missing"),
    ],
)
def test_a_command_check_names_the_docker_line_the_learner_runs(check: str, message: str) -> None:
    source = WORKSTATION_LAB.format(run="x").replace(
        'kind = "engine"\ncontainer = { name = "mine-${learner}" }', check
    )
    with pytest.raises(TemplateError, match=message):
        parse(source)
