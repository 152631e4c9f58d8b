"""A lab session's workstation: a terminal with the `docker` CLI, whose socket is the session's
own Engine API endpoint. What the learner types there is theirs alone, passes the gate with the
pages' messages, is audited, and ends with the session."""

import time

import docker
import pytest
from django.contrib.auth.models import User

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


def test_a_workstation_names_no_image() -> None:
    source = WORKSTATION_LAB.format(run="x").replace(
        'kind = "workstation"', 'kind = "workstation"\nimage = "elsewhere/cli:1"'
    )
    with pytest.raises(TemplateError, match="A workstation runs Dockboard's own image"):
        parse(source)
