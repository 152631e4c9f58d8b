"""The reaper and the worker, as real processes: time limits, idle stops, restarts, orphans."""

import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import docker
import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dashboard.policy import labels
from dashboard.policy.ownership import Kind, installation_id
from labs import actions, launch, reaper, runtime
from labs.library import import_template
from labs.models import LabClass, LabSession
from tests.harness import owned
from tests.harness.accounts import signed_in
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import text_of

pytestmark = pytest.mark.django_db(transaction=True)


def lab_containers(engine: docker.DockerClient, session: LabSession) -> list:
    selector = f"{labels.LAB_SESSION}={session.pk}"
    # Sparse: the SDK would inspect each one listed, and the reaper may remove it in between.
    return engine.containers.list(all=True, filters={"label": selector}, sparse=True)


def wait_until(condition: Callable[[], bool], seconds: float) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "not within the bound"
        time.sleep(0.2)
    return time.monotonic() - started


def test_a_five_second_limit_is_reaped_by_the_running_reaper(
    launched: Callable[..., LabSession], engine: docker.DockerClient, start_reaper
) -> None:
    session = launched()
    LabSession.objects.filter(pk=session.pk).update(
        expires_at=timezone.now() + timedelta(seconds=5)
    )
    start_reaper()
    assert lab_containers(engine, session)
    waited = wait_until(lambda: not lab_containers(engine, session), 10)
    assert waited >= 4  # not before its time
    session.refresh_from_db()
    assert session.state == LabSession.State.EXPIRED
    # The network goes right after the containers, in the same sweep.
    wait_until(lambda: not engine.networks.list(names=[f"dockboard-lab-{session.pk}"]), 5)


def test_a_session_that_expired_while_the_reaper_was_down_is_reaped_on_restart(
    launched: Callable[..., LabSession],
    engine: docker.DockerClient,
    start_reaper,
    make_container,
) -> None:
    session = launched()
    first = start_reaper()
    time.sleep(1.5)
    first.kill()
    first.wait()
    LabSession.objects.filter(pk=session.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    lab = {labels.LAB_SESSION: "999999999", labels.EXPIRES: "1"}
    orphan = engine.containers.create(  # ours (our id on it), its session and record lost here
        session.lab_class.parameters["image"],
        labels={**lab, labels.INSTALLATION: installation_id()},
    )
    theirs = engine.containers.create(  # another installation's, or labels copied from an image
        session.lab_class.parameters["image"],
        labels={**lab, labels.INSTALLATION: str(uuid.uuid4()), LABEL_KEY: RUN_ID},
    )
    unlabelled = make_container("sleep 600")
    start_reaper()
    wait_until(lambda: not lab_containers(engine, session), 10)
    wait_until(lambda: orphan.id not in [c.id for c in engine.containers.list(all=True)], 10)
    assert engine.containers.get(unlabelled.id).status == "running"  # never touched
    engine.containers.get(theirs.id)  # never touched either


def test_an_idle_session_is_stopped_and_resumes(
    launched: Callable[..., LabSession], engine: docker.DockerClient, member: User
) -> None:
    session = launched()
    LabSession.objects.filter(pk=session.pk).update(
        last_activity_at=timezone.now() - timedelta(minutes=11)
    )
    reaper.reap()
    session.refresh_from_db()
    assert session.state == LabSession.State.IDLE
    assert [c.status for c in lab_containers(engine, session)] == ["exited"]  # stopped, kept
    client = signed_in(member)
    assert "Resume" in text_of(client.get(f"/sessions/{session.pk}/").content)
    client.post(f"/sessions/{session.pk}/resume/")
    session.refresh_from_db()
    assert session.state == LabSession.State.RUNNING
    assert [c.status for c in lab_containers(engine, session)] == ["running"]


def test_an_open_tab_is_not_activity_but_a_check_is(
    launched: Callable[..., LabSession], member: User
) -> None:
    session = launched()
    old = timezone.now() - timedelta(minutes=5)
    LabSession.objects.filter(pk=session.pk).update(last_activity_at=old)
    client = signed_in(member)
    client.get(f"/sessions/{session.pk}/")
    client.get(f"/sessions/{session.pk}/?part=status&was=running", headers={"HX-Request": "true"})
    session.refresh_from_db()
    assert session.last_activity_at == old
    client.post(f"/sessions/{session.pk}/steps/0/check/")
    session.refresh_from_db()
    assert session.last_activity_at > old


def test_start_lab_is_made_by_the_worker_and_shown_as_it_goes(
    lab_class: LabClass, member: User, engine: docker.DockerClient, start_worker
) -> None:
    start_worker()
    client = signed_in(member)
    response = client.post(f"/classes/{lab_class.pk}/start/")
    session = LabSession.objects.get(learner=member)
    assert response.url == f"/sessions/{session.pk}/"
    wait_until(lambda: LabSession.objects.get(pk=session.pk).state == "running", 30)
    assert [c.status for c in lab_containers(engine, session)] == ["running"]
    page = client.get(response.url).content.decode()
    assert 'id="terminal-page"' in page


def test_a_worker_killed_while_making_a_session_leaves_no_session_starting_for_ever(
    small_lab_source: str,
    instructor: User,
    member: User,
    team,
    lab_objects_removed: None,
    start_worker,
    layered_image: str,
    slow_registry: str,
    not_local,
    engine: docker.DockerClient,
    settings,
) -> None:
    """The worker is SIGKILLed while it pulls the lab's image: the reaper fails the session
    with the reason (nothing of it is left on the engine), and starting again works."""
    slow_image = not_local(layered_image.replace(layered_image.split("/")[0], slow_registry))
    version = import_template(small_lab_source.replace("small-", "killed-"), instructor)
    lab_class = actions.open_class(instructor, version, team, {"image": slow_image})
    worker = start_worker()
    session = actions.start_session(member, lab_class)
    wait_until(lambda: "Getting image" in LabSession.objects.get(pk=session.pk).progress, 20)
    time.sleep(1)  # the engine is pulling for the worker
    worker.kill()
    worker.wait()
    session.refresh_from_db()
    assert session.state == LabSession.State.STARTING

    settings.DOCKBOARD_LAB_LAUNCH_SECONDS = 0
    reaper.reap()
    session.refresh_from_db()
    assert session.state == LabSession.State.FAILED
    assert "stopped before it was ready" in session.error
    assert not lab_containers(engine, session)
    assert not engine.networks.list(names=[f"dockboard-lab-{session.pk}"])

    settings.DOCKBOARD_LAB_LAUNCH_SECONDS = 600
    again = actions.start_session(member, lab_class)
    launch.launch(again.pk)
    again.refresh_from_db()
    assert again.state == LabSession.State.RUNNING, again.error


def test_a_sessions_container_from_the_previous_release_still_belongs_to_it(
    launched: Callable[..., LabSession], engine: docker.DockerClient, busybox: str, member: User
) -> None:
    """The previous release labelled its lab containers without an installation id, and the
    upgrade carried its quota ledger over without their sessions: such a container is still its
    session's, and goes with it."""
    session = launched()
    older = engine.containers.create(
        busybox,
        "sleep 600",
        labels={LABEL_KEY: RUN_ID, labels.LAB_SESSION: str(session.pk)},
    )
    owned.admitted(Kind.CONTAINER, older.id, member, session.lab_class.team)  # lab_session ""
    assert older.id in {c["Id"] for c in runtime.session_containers(session)}
    reaper.reap()  # active: kept
    engine.containers.get(older.id)
    actions.end_session(member, session)
    with pytest.raises(docker.errors.NotFound):
        engine.containers.get(older.id)
