"""Lab sessions on the real engine: services through the gate on a private network, checks of
both kinds, reset, the session limit, and who may see what (learner / other learner / teacher)."""

import time
from collections.abc import Callable

import docker
import pytest
from django.contrib.auth.models import User

from dashboard.models import Team
from dashboard.policy import labels
from dashboard.policy.ownership import installation_id
from labs import actions, checks, launch, runtime
from labs.access import may_author, visible_classes
from labs.library import import_template
from labs.models import LabClass, LabSession
from tests.harness.accounts import join, signed_in
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import text_of

pytestmark = pytest.mark.django_db


def service(engine: docker.DockerClient, session: LabSession):
    return engine.containers.get(runtime.container_name(session, "shell"))


def test_a_session_runs_its_service_on_its_own_network_through_the_gate(
    launched: Callable[..., LabSession], engine: docker.DockerClient, member: User, team: Team
) -> None:
    session = launched()
    assert session.state == LabSession.State.RUNNING
    container = service(engine, session)
    assert container.status == "running"
    assert container.labels[labels.LAB_SESSION] == str(session.pk)
    assert container.labels[labels.OWNER] == str(member.pk)
    assert container.labels[labels.TEAM] == str(team.pk)
    assert int(container.labels[labels.EXPIRES]) > time.time()
    host_config = container.attrs["HostConfig"]
    assert host_config["NetworkMode"] == f"dockboard-{runtime.engine_prefix(session)}"
    assert host_config["CapDrop"] == ["ALL"] and host_config["Memory"] == 64 * 1024**2
    assert "GREETING=hello" in container.attrs["Config"]["Env"]
    assert container.exec_run("cat /setup-done").output == b"ready\n"  # the setup script ran
    network = engine.networks.get(f"dockboard-{runtime.engine_prefix(session)}")
    assert network.attrs["Labels"][labels.LAB_SESSION] == str(session.pk)


def test_an_exec_check_fails_with_its_fail_lines_then_passes(
    launched: Callable[..., LabSession], engine: docker.DockerClient
) -> None:
    session = launched()
    outcome = checks.run_step(session, 0)
    assert (outcome.passed, outcome.lines) == (False, ["FAIL: /made is not there yet"])
    service(engine, session).exec_run("touch /made")
    started = time.monotonic()
    assert checks.run_step(session, 0).passed
    assert time.monotonic() - started < 5
    session.refresh_from_db()
    assert session.steps_passed == [0]
    assert list(session.checks.values_list("passed", flat=True)) == [True, False]


def test_an_engine_check_sees_what_the_learner_created_in_the_session(
    launched: Callable[..., LabSession], member: User, busybox: str
) -> None:
    session = launched()
    failed = checks.run_step(session, 1)
    assert failed.lines == ["FAIL: no container extra-member of yours in this session."]
    response = signed_in(member).post(
        "/engines/local/containers/new/",
        {"image": busybox, "name": "extra-member", "labels": f"{LABEL_KEY}={RUN_ID}",
         "create": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    assert checks.run_step(session, 1).passed


def test_a_container_made_while_the_session_is_active_belongs_to_it(
    launched: Callable[..., LabSession], member: User, busybox: str, engine: docker.DockerClient
) -> None:
    session = launched()
    signed_in(member).post(
        "/engines/local/containers/new/",
        {"image": busybox, "name": f"mine-{RUN_ID}", "labels": f"{LABEL_KEY}={RUN_ID}",
         "create": "1"},
    )  # fmt: skip
    made = engine.containers.get(f"mine-{RUN_ID}")
    assert made.labels[labels.LAB_SESSION] == str(session.pk)
    actions.end_session(member, session)
    with pytest.raises(docker.errors.NotFound):
        engine.containers.get(f"mine-{RUN_ID}")
    with pytest.raises(docker.errors.NotFound):
        engine.networks.get(f"dockboard-{runtime.engine_prefix(session)}")
    session.refresh_from_db()
    assert session.state == LabSession.State.ENDED


def test_a_check_that_runs_too_long_times_out(
    small_lab_source: str, instructor: User, team: Team, member: User, lab_objects_removed: None
) -> None:
    source = small_lab_source.replace("test -e /made ||", "sleep 30; test -e /made ||").replace(
        'kind = "exec"', 'kind = "exec"\ntimeout = 2'
    )
    version = import_template(source.replace("small-", "slow-"), instructor)
    lab_class = actions.open_class(instructor, version, team, {})
    session = actions.start_session(member, lab_class)
    launch.launch(session.pk)
    session.refresh_from_db()
    started = time.monotonic()
    outcome = checks.run_step(session, 0)
    assert time.monotonic() - started < 5
    assert not outcome.passed
    assert outcome.lines == ["FAIL: the check took longer than 2 seconds."]


def test_reset_restores_the_initial_state(
    launched: Callable[..., LabSession], engine: docker.DockerClient, member: User
) -> None:
    session = launched()
    service(engine, session).exec_run("touch /made")
    assert checks.run_step(session, 0).passed
    started = time.monotonic()
    actions.reset(member, session)
    launch.launch(session.pk, again=True)
    assert time.monotonic() - started < 5
    session.refresh_from_db()
    assert session.state == LabSession.State.RUNNING and session.steps_passed == []
    fresh = service(engine, session)
    assert fresh.exec_run("test -e /made").exit_code == 1  # the file made before is gone
    assert fresh.exec_run("cat /setup-done").output == b"ready\n"


def test_a_learner_cannot_start_more_sessions_than_allowed(
    launched: Callable[..., LabSession], lab_class: LabClass, member: User
) -> None:
    first = launched()
    response = signed_in(member).post(f"/classes/{lab_class.pk}/start/")
    assert response.status_code == 302 and response.url == f"/sessions/{first.pk}/"
    with pytest.raises(actions.LabError, match="already have a session"):
        actions.start_session(member, lab_class)
    assert LabSession.objects.filter(learner=member).count() == 1


def test_a_join_code_is_needed_when_the_class_has_one(lab_class: LabClass, member: User) -> None:
    LabClass.objects.filter(pk=lab_class.pk).update(join_code="C0FFEE")
    client = signed_in(member)
    refused = client.post(f"/classes/{lab_class.pk}/start/", {"join_code": "nope"})
    assert refused.status_code == 400
    assert "That join code is not this class" in text_of(refused.content)
    started = client.post(f"/classes/{lab_class.pk}/start/", {"join_code": "c0ffee"})
    assert started.status_code == 302
    page = client.get(started.url)
    assert "Waiting for the worker" in text_of(page.content)


def test_another_learner_sees_neither_the_session_nor_its_containers(
    launched: Callable[..., LabSession],
    engine: docker.DockerClient,
    other_member: User,
    outsider: User,
    viewer: User,
) -> None:
    session = launched()
    container = service(engine, session)
    for user in (other_member, outsider, viewer):
        client = signed_in(user)
        assert client.get(f"/sessions/{session.pk}/").status_code == 404
        assert client.post(f"/sessions/{session.pk}/steps/0/check/").status_code == 404
        assert client.post(f"/sessions/{session.pk}/end/").status_code == 404
        assert client.get(f"/classes/{session.lab_class_id}/").status_code == 404
    assert (
        signed_in(other_member).get(f"/engines/local/containers/{container.id}/").status_code == 404
    )
    assert (
        container.id
        not in signed_in(other_member).get("/engines/local/containers/").content.decode()
    )


def test_the_teacher_sees_the_session_but_only_the_learner_checks(
    launched: Callable[..., LabSession],
    engine: docker.DockerClient,
    instructor: User,
    member: User,
) -> None:
    session = launched()
    teacher = signed_in(instructor)
    page = teacher.get(f"/sessions/{session.pk}/")
    assert page.status_code == 200 and "Make a file" in text_of(page.content)
    assert teacher.post(f"/sessions/{session.pk}/steps/0/check/").status_code == 403
    learner_page = signed_in(member).get(f"/sessions/{session.pk}/").content.decode()
    assert 'id="terminal-page"' in learner_page
    assert f"ws/containers/{service(engine, session).id}/attach/" in learner_page


def test_check_through_the_page_shows_the_fail_lines(
    launched: Callable[..., LabSession], member: User
) -> None:
    session = launched()
    response = signed_in(member).post(
        f"/sessions/{session.pk}/steps/0/check/", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<li class="lab-step"')
    # The script's FAIL mark is the checker's: the page says "Not yet", then the reason.
    assert "Not yet /made is not there yet" in text_of(html) and "FAIL" not in text_of(html)


def test_the_roster_lists_each_learner_and_exports_csv(
    launched: Callable[..., LabSession],
    engine: docker.DockerClient,
    instructor: User,
    member: User,
    other_member: User,
) -> None:
    first = launched(member)
    launched(other_member)
    service(engine, first).exec_run("touch /made")
    checks.run_step(first, 0)
    teacher = signed_in(instructor)
    roster = teacher.get(f"/classes/{first.lab_class_id}/", headers={"HX-Request": "true"})
    html = roster.content.decode()
    assert 'data-learner="member" data-state="running"' in html
    assert 'data-learner="other" data-state="running"' in html
    csv = teacher.get(f"/classes/{first.lab_class_id}/roster.csv")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "learner,state,steps passed,steps,started,ended,last check"
    assert lines[1].startswith("member,running,1,2,") and lines[2].startswith("other,running,0,2,")
    teacher.post(f"/classes/{first.lab_class_id}/end/")
    ours = [labels.LAB_SESSION, f"{labels.INSTALLATION}={installation_id()}"]
    assert not engine.containers.list(all=True, filters={"label": ours})
    assert set(LabSession.objects.values_list("state", flat=True)) == {"ended"}


def test_an_image_the_learners_name_makes_invalid_fails_the_session_clearly(
    small_lab_source: str, instructor: User, team: Team, lab_objects_removed: None, busybox: str
) -> None:
    """The class opened (its image checked with a placeholder name); a learner whose name makes
    the reference invalid gets a failed session that says why, not one "starting" for ever."""
    repository = busybox.rsplit(":", 1)[0]
    named = f'image = "{repository}-${{learner}}:1"'
    source = small_lab_source.replace('image = "${image}"', named)
    version = import_template(source.replace("small-", "named-"), instructor)
    lab_class = actions.open_class(instructor, version, team, {})
    capital = join(User.objects.create_user("Capital"), team, "member")
    session = actions.start_session(capital, lab_class)
    launch.launch(session.pk)
    session.refresh_from_db()
    assert session.state == LabSession.State.FAILED
    assert f"{repository}-Capital:1" in session.error and "not a valid reference" in session.error


def test_a_deactivated_instructor_runs_no_class(lab_class: LabClass, instructor: User) -> None:
    """The labs read roles where every page does: a deactivated account has none."""
    assert list(visible_classes(instructor)) == [lab_class] and may_author(instructor)
    instructor.is_active = False
    instructor.save()
    assert list(visible_classes(instructor)) == [] and not may_author(instructor)
