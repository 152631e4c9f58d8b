"""A learner's workspace, on the real engine: a volume of theirs mounted in every session of the
lab, that outlives a reset, an expiry and the session itself, downloads as a tar, and cannot be
planted by someone else."""

import contextlib
import io
import tarfile
from collections.abc import Callable

import docker
import pytest
from django.contrib.auth.models import User

from dashboard.models import Team
from dashboard.policy import labels
from labs import actions, reaper, runtime
from labs.launch import launch as launch_on_worker
from labs.library import import_template
from labs.models import LabClass, LabSession
from labs.template import TemplateError, parse
from tests.harness.accounts import signed_in
from tests.harness.run import RUN_ID
from tests.pages import streamed

pytestmark = pytest.mark.django_db(transaction=True)

WORKSPACE_LAB = """\
slug = "workspace-{run}"
title = "Work that stays"

[[services]]
name = "shell"
image = "{image}"
command = ["sh"]
memory = "64m"
interactive = true
tty = true
workspace = "/work"

[[steps]]
title = "Write notes"
[[steps.checks]]
kind = "exec"
service = "shell"
script = "test -s /work/notes.txt"
"""


@pytest.fixture
def workspace_class(
    lab_objects_removed: None, busybox: str, instructor: User, team: Team, engine
) -> LabClass:
    version = import_template(WORKSPACE_LAB.format(run=RUN_ID.lower(), image=busybox), instructor)
    lab_class = actions.open_class(instructor, version, team, {})
    yield lab_class
    for session in lab_class.sessions.filter(state__in=LabSession.ACTIVE):
        runtime.finish(session, LabSession.State.ENDED)  # the volumes are in use until then
    for learner_id in (instructor.pk, *User.objects.values_list("pk", flat=True)):
        with contextlib.suppress(docker.errors.NotFound):
            engine.volumes.get(runtime.workspace_volume(lab_class, learner_id)).remove(force=True)


def started(lab_class: LabClass, learner: User) -> LabSession:
    session = actions.start_session(learner, lab_class)
    launch_on_worker(session.pk)
    session.refresh_from_db()
    return session


def shell(engine: docker.DockerClient, session: LabSession) -> Callable[[str], str]:
    container = engine.containers.get(runtime.container_name(session, "shell"))

    def run(line: str) -> str:
        code, output = container.exec_run(["sh", "-c", line])
        assert code == 0, output
        return output.decode()

    return run


def files_of(tar: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(tar), mode="r:") as archive:  # a tar, not gzip
        return {
            member.name: archive.extractfile(member).read()
            for member in archive.getmembers()
            if member.isfile()
        }


def test_the_workspace_outlives_a_reset_an_expiry_and_the_session(
    workspace_class: LabClass, member: User, engine: docker.DockerClient
) -> None:
    first = started(workspace_class, member)
    assert first.state == LabSession.State.RUNNING, first.error
    shell(engine, first)("echo 'layers are read-only' > /work/notes.txt")
    volume = engine.volumes.get(runtime.workspace_volume(workspace_class, member.pk))
    assert volume.attrs["Labels"][labels.OWNER] == str(member.pk)

    actions.reset(member, first)
    launch_on_worker(first.pk, again=True)
    assert shell(engine, first)("cat /work/notes.txt") == "layers are read-only\n"

    LabSession.objects.filter(pk=first.pk).update(expires_at=first.created_at)
    reaper.reap()
    assert not engine.containers.list(all=True, filters={"name": first_name(first)})
    volume.reload()  # still there

    second = started(workspace_class, member)
    assert second.pk != first.pk
    assert shell(engine, second)("cat /work/notes.txt") == "layers are read-only\n"
    page = signed_in(member).get(f"/sessions/{second.pk}/")
    assert b"Download it (tar)" in page.content

    # Downloaded while the session runs, and after it ended (through a container made to read
    # it, removed afterwards).
    for session in (second, first):
        response = signed_in(member).get(f"/sessions/{session.pk}/workspace.tar")
        assert response.status_code == 200
        assert files_of(streamed(response)) == {"work/notes.txt": b"layers are read-only\n"}
    actions.end_session(member, second)
    response = signed_in(member).get(f"/sessions/{second.pk}/workspace.tar")
    assert files_of(streamed(response)) == {"work/notes.txt": b"layers are read-only\n"}
    owned = {labels.OWNER: str(member.pk), labels.TEAM: str(workspace_class.team_id)}
    left = engine.containers.list(
        all=True, filters={"label": [f"{k}={v}" for k, v in owned.items()]}
    )
    assert not left


def first_name(session: LabSession) -> str:
    return runtime.container_name(session, "shell")


def test_a_volume_planted_under_the_workspace_name_is_refused(
    workspace_class: LabClass, member: User, engine: docker.DockerClient
) -> None:
    name = runtime.workspace_volume(workspace_class, member.pk)
    engine.volumes.create(name, labels={labels.OWNER: str(member.pk)})  # the CLI's, not ours

    session = started(workspace_class, member)

    assert session.state == LabSession.State.FAILED
    assert f"Volume {name} is not yours to use." in session.error


def test_only_the_learner_and_the_instructors_download_a_workspace(
    workspace_class: LabClass,
    member: User,
    other_member: User,
    outsider: User,
    instructor: User,
    engine: docker.DockerClient,
) -> None:
    session = started(workspace_class, member)
    shell(engine, session)("echo mine > /work/notes.txt")
    url = f"/sessions/{session.pk}/workspace.tar"
    for stranger in (other_member, outsider):
        response = signed_in(stranger).get(url)
        assert response.status_code == 404
        assert b"No such lab session" in response.content
    response = signed_in(instructor).get(url)
    assert files_of(streamed(response)) == {"work/notes.txt": b"mine\n"}
    # A learner who never started has none: said in the page.
    other = LabSession.objects.create(
        lab_class=workspace_class, learner=other_member, expires_at=session.expires_at,
        state=LabSession.State.ENDED,
    )  # fmt: skip
    response = signed_in(other_member).get(f"/sessions/{other.pk}/workspace.tar")
    assert response.status_code == 404
    assert b"You have no workspace in this lab yet" in response.content


def test_a_lab_with_a_workspace_keeps_no_warm_pool_and_paths_are_checked(
    workspace_class: LabClass, instructor: User
) -> None:
    with pytest.raises(actions.LabError, match="workspace"):
        actions.open_class(
            instructor, workspace_class.version, workspace_class.team, {}, learners_expected=3
        )
    source = WORKSPACE_LAB.format(run="x", image="busybox")
    for wrong in ("work", "/", "/work/../etc", "/a:b"):
        with pytest.raises(TemplateError, match="workspace takes a path"):
            parse(source.replace('workspace = "/work"', f'workspace = "{wrong}"'))


def test_a_workspace_counts_against_the_learners_volume_quota(
    workspace_class: LabClass, member: User, team: Team, engine: docker.DockerClient
) -> None:
    Team.objects.filter(pk=team.pk).update(member_volumes=0)
    refused = started(workspace_class, member)
    assert refused.state == LabSession.State.FAILED
    assert f"Your quota in team {team.name}: 0 of 0 volumes are in use." in refused.error
    name = runtime.workspace_volume(workspace_class, member.pk)
    assert not engine.volumes.list(filters={"name": name})

    Team.objects.filter(pk=team.pk).update(member_volumes=1)
    session = started(workspace_class, member)  # the workspace is the one volume of theirs
    assert session.state == LabSession.State.RUNNING, session.error
    actions.reset(member, session)  # mounted again: not a new volume
    launch_on_worker(session.pk, again=True)
    session.refresh_from_db()
    assert session.state == LabSession.State.RUNNING, session.error
