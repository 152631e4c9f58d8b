"""A class's warm pool, on the real engine: sessions made before their learners come, claimed at
Start, handed over whole (rights, quota, lists), refilled, drained, kept from the reaper, and
raced for by two learners at once."""

import threading
from datetime import timedelta

import docker
import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dashboard.access.containers import access_container, visible_containers
from dashboard.models import AuditEvent, OwnershipRecord, Team
from dashboard.policy import labels
from dashboard.policy.ownership import installation_id
from labs import actions, checks, pool, reaper, runtime
from labs.errors import LabError
from labs.launch import launch as launch_on_worker
from labs.library import import_template
from labs.models import LabClass, LabSession
from tests.harness.accounts import signed_in
from tests.pages import text_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def warm_class(lab_class: LabClass) -> LabClass:
    LabClass.objects.filter(pk=lab_class.pk).update(learners_expected=2)
    lab_class.refresh_from_db()
    return lab_class


def made_ahead(lab_class: LabClass) -> list[LabSession]:
    """The reaper's pass fills the pool; the worker's part of each warm session runs here."""
    pool.fill(timezone.now())
    made = list(lab_class.sessions.filter(learner__isnull=True, state=LabSession.State.STARTING))
    for session in made:
        launch_on_worker(session.pk)
    return list(lab_class.sessions.filter(learner__isnull=True, state=LabSession.State.RUNNING))


def test_a_learner_claims_a_warm_session_that_becomes_wholly_theirs(
    warm_class: LabClass, member: User, instructor: User, engine: docker.DockerClient
) -> None:
    ready = made_ahead(warm_class)
    assert len(ready) == 2
    page = signed_in(instructor).get(f"/classes/{warm_class.pk}/")
    assert "Warm sessions: 2 ready, 0 being made, 2 wanted" in text_of(page.content)

    session = actions.start_session(member, warm_class)

    assert session.pk in {s.pk for s in ready}
    assert session.state == LabSession.State.RUNNING and session.learner_id == member.pk
    assert session.expires_at > timezone.now() + timedelta(minutes=29)
    shell = access_container(member, runtime.container_name(session, "shell"))
    assert shell["State"]["Running"]
    assert shell["Config"]["Labels"][labels.LAB_SESSION] == str(session.pk)
    assert OwnershipRecord.objects.get(object_id=shell["Id"]).owner_id == member.pk
    assert shell["Config"]["Labels"][labels.OWNER] == ""  # written before it was anyone's
    # In the learner's next request, their list finds it (its owner label is no one's).
    assert shell["Id"] in {c["Id"] for c in visible_containers(User.objects.get(pk=member.pk))}
    assert AuditEvent.objects.filter(
        actor=member, action="start lab session", target_id=str(session.pk)
    ).exists()
    # The learner's checks run in it as the learner.
    runtime.run_script(session, shell, "touch /made", 10)
    assert checks.run_step(session, 0).passed
    # One learner came: one warm session is still wanted, and it is there.
    page = signed_in(instructor).get(f"/classes/{warm_class.pk}/")
    assert "Warm sessions: 1 ready, 0 being made, 1 wanted" in text_of(page.content)
    assert "member" in text_of(page.content)


def test_two_learners_racing_for_the_last_warm_session_never_share_it(
    warm_class: LabClass, member: User, other_member: User
) -> None:
    LabClass.objects.filter(pk=warm_class.pk).update(learners_expected=1)
    warm_class.refresh_from_db()
    (ready,) = made_ahead(warm_class)
    barrier = threading.Barrier(2)
    started: dict[str, LabSession] = {}

    def start(learner: User) -> None:
        barrier.wait()
        started[learner.username] = actions.start_session(learner, warm_class)

    threads = [threading.Thread(target=start, args=(u,)) for u in (member, other_member)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    first, second = started["member"], started["other"]
    assert first.pk != second.pk
    claimed, launched = sorted((first, second), key=lambda s: s.pk != ready.pk)
    assert claimed.pk == ready.pk and claimed.state == LabSession.State.RUNNING
    assert launched.state == LabSession.State.STARTING  # made for them by the worker
    owners = set(
        OwnershipRecord.objects.filter(lab_session=str(ready.pk)).values_list("owner_id", flat=True)
    )
    assert owners == {claimed.learner_id}


def ours(session: LabSession) -> list[str]:
    """The session's objects, not the other installation's session of the same number."""
    return [f"{labels.LAB_SESSION}={session.pk}", f"{labels.INSTALLATION}={installation_id()}"]


def test_the_reaper_keeps_warm_sessions_and_drains_them_when_the_class_ends(
    warm_class: LabClass, instructor: User, engine: docker.DockerClient, world, other
) -> None:
    ready = made_ahead(warm_class)
    # Idle for an hour, with no learner: neither stopped nor taken for an orphan.
    LabSession.objects.filter(pk__in=[s.pk for s in ready]).update(
        last_activity_at=timezone.now() - timedelta(hours=1)
    )
    reaper.reap()
    for session in ready:
        session.refresh_from_db()
        assert session.state == LabSession.State.RUNNING
        (container,) = engine.containers.list(filters={"label": ours(session)})
        assert container.status == "running"

    actions.end_class(instructor, warm_class)
    reaper.reap()
    for session in ready:
        assert not engine.containers.list(all=True, filters={"label": ours(session)})
    assert not warm_class.sessions.filter(state__in=LabSession.ACTIVE).exists()
    # What others made, and the other installation's warm-looking sessions, are not ours.
    present = {c.id for c in engine.containers.list(all=True)}
    assert set(world.containers.values()) <= present
    assert set(other.lab_containers) <= present


def test_a_claim_that_breaks_the_learners_quota_says_so_and_leaves_the_pool_whole(
    warm_class: LabClass, member: User, team: Team
) -> None:
    made_ahead(warm_class)
    Team.objects.filter(pk=team.pk).update(member_containers=0)

    with pytest.raises(LabError) as refused:
        actions.start_session(member, warm_class)

    assert "0 of 0 containers" in refused.value.message
    assert warm_class.sessions.filter(learner__isnull=True).count() == 2
    assert not OwnershipRecord.objects.filter(owner_id=member.pk).exists()


def test_a_scheduled_class_pulls_its_images_and_warms_up_before_it_starts(
    lab_objects_removed: None,
    small_lab_source: str,
    instructor: User,
    team: Team,
    engine: docker.DockerClient,
    layered_image: str,
    not_local,
) -> None:
    version = import_template(small_lab_source, instructor)
    image = not_local(layered_image)
    later = actions.open_class(
        instructor, version, team, {"image": image},
        starts_at=timezone.now() + timedelta(minutes=30), learners_expected=1,
    )  # fmt: skip
    soon = actions.open_class(
        instructor, version, team, {"image": image},
        starts_at=timezone.now() + timedelta(minutes=5), learners_expected=1,
    )  # fmt: skip

    pool.fill(timezone.now())

    assert engine.images.get(image)  # pulled, once, before anyone came
    later.refresh_from_db()
    soon.refresh_from_db()
    assert later.images_ready_at is None and not later.sessions.exists()
    assert soon.images_ready_at is not None
    assert soon.sessions.filter(learner__isnull=True).count() == 1


def test_a_lab_made_per_learner_keeps_no_warm_sessions(
    lab_objects_removed: None, busybox: str, instructor: User, team: Team
) -> None:
    source = f"""\
slug = "per-learner"
title = "Per learner"
[[services]]
name = "shell"
image = "{busybox}"
command = ["sh", "-c", "echo ${{learner}}; sleep 600"]
[[steps]]
title = "One"
[[steps.checks]]
kind = "engine"
container = {{ state = "running" }}
"""
    version = import_template(source, instructor)
    with pytest.raises(LabError) as refused:
        actions.open_class(instructor, version, team, {}, learners_expected=5)
    assert "${learner}" in refused.value.message


def test_an_instructor_sizes_the_pool_of_an_open_class_from_its_roster(
    lab_class: LabClass, instructor: User, member: User
) -> None:
    client = signed_in(instructor)
    page = client.get(f"/classes/{lab_class.pk}/")
    assert "0 learners expected" in text_of(page.content)
    response = client.post(
        f"/classes/{lab_class.pk}/parameters/", {"param_greeting": "hello", "learners_expected": 3}
    )
    assert response.status_code == 302
    lab_class.refresh_from_db()
    assert lab_class.learners_expected == 3
    pool.fill(timezone.now())
    assert lab_class.sessions.filter(learner__isnull=True).count() == 3
    # Back to none: the reaper's next pass drains what was made.
    client.post(
        f"/classes/{lab_class.pk}/parameters/", {"param_greeting": "hello", "learners_expected": 0}
    )
    pool.fill(timezone.now())
    assert not lab_class.sessions.filter(learner__isnull=True, state__in=LabSession.ACTIVE).exists()
    # A member may not.
    response = signed_in(member).post(
        f"/classes/{lab_class.pk}/parameters/", {"learners_expected": 50}
    )
    assert response.status_code == 404


def test_a_drain_never_ends_a_session_claimed_meanwhile(
    warm_class: LabClass, member: User, engine: docker.DockerClient
) -> None:
    first, second = made_ahead(warm_class)
    # The learner claims the first as the reaper, which read the pool before, drains it.
    LabSession.objects.filter(pk=first.pk).update(learner=member)
    assert not runtime.finish(first, LabSession.State.ENDED, unclaimed=True)
    first.refresh_from_db()
    assert first.state == LabSession.State.RUNNING
    assert engine.containers.list(filters={"label": ours(first)})
    assert runtime.finish(second, LabSession.State.ENDED, unclaimed=True)
    assert not engine.containers.list(all=True, filters={"label": ours(second)})
