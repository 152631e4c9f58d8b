"""A class is found again once its roster is left: the lab list, the lab's page and the team's
page list the classes a user runs, each with its state and learners, linked to its roster; as
instructor (owner), member and outsider. And the roster's own actions: Watch, a confirmation
before Reset and End, times as a clock, and the audit of what the instructor did."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dashboard.models import AuditEvent, Team
from labs import actions
from labs.launch import launch as launch_on_worker
from labs.models import LabClass, LabSession
from tests.harness.accounts import signed_in
from tests.harness.run import RUN_ID
from tests.pages import get_ok, text_of

pytestmark = pytest.mark.django_db


def class_row(html: bytes, lab_class: LabClass) -> str:
    """The row of ``lab_class`` in a classes table, as HTML ("" when it is not listed)."""
    found = re.search(rf'<tr data-class="{lab_class.pk}".*?</tr>', html.decode(), re.S)
    return found.group(0) if found else ""


def roster_link(lab_class: LabClass) -> str:
    return f'href="/classes/{lab_class.pk}/"'


@pytest.fixture
def started(lab_class: LabClass, member: User, other_member: User) -> LabClass:
    """Two learners started (the worker has not made their containers: none is needed here)."""
    actions.start_session(member, lab_class)
    actions.start_session(other_member, lab_class)
    return lab_class


def test_the_instructor_finds_the_class_on_the_labs_the_lab_and_the_team_pages(
    started: LabClass, instructor: User, team: Team
) -> None:
    client = signed_in(instructor)
    pages = ["/labs/", f"/labs/{started.version.lab.slug}/", f"/teams/{team.pk}/"]
    for url in pages:
        row = class_row(get_ok(client, url), started)
        assert roster_link(started) in row, url
        assert "open" in text_of(row) and "2 learners, 2 active" in text_of(row), url
    get_ok(client, f"/classes/{started.pk}/")  # where the link leads


def test_a_class_shows_scheduled_open_and_ended(
    lab_class: LabClass, instructor: User, member: User
) -> None:
    client = signed_in(instructor)
    LabClass.objects.filter(pk=lab_class.pk).update(starts_at=timezone.now() + timedelta(hours=1))
    assert 'data-state="scheduled"' in class_row(get_ok(client, "/labs/"), lab_class)
    LabClass.objects.filter(pk=lab_class.pk).update(starts_at=None)
    session = actions.start_session(member, lab_class)
    assert "1 learner, 1 active" in text_of(class_row(get_ok(client, "/labs/"), lab_class))
    LabSession.objects.filter(pk=session.pk).update(state=LabSession.State.ENDED)
    LabClass.objects.filter(pk=lab_class.pk).update(ended_at=timezone.now())
    row = class_row(get_ok(client, "/labs/"), lab_class)
    assert 'data-state="ended"' in row and "1 learner, 0 active" in text_of(row)
    # Its end time passed: ended too, and a learner can no longer start it.
    LabClass.objects.filter(pk=lab_class.pk).update(
        ended_at=None, ends_at=timezone.now() - timedelta(minutes=1)
    )
    assert 'data-state="ended"' in class_row(get_ok(client, "/labs/"), lab_class)


def test_a_member_is_not_shown_the_rosters(started: LabClass, member: User, team: Team) -> None:
    client = signed_in(member)
    for url in ["/labs/", f"/teams/{team.pk}/"]:
        html = get_ok(client, url)
        assert roster_link(started) not in html.decode(), url
        assert not class_row(html, started), url
    assert client.get(f"/classes/{started.pk}/").status_code == 404
    # The member still starts it from the lab list.
    assert f'action="/classes/{started.pk}/start/"' in get_ok(client, "/labs/").decode()


def test_an_outsider_sees_neither_the_team_nor_its_classes(
    started: LabClass, outsider: User, team: Team
) -> None:
    client = signed_in(outsider)
    assert not class_row(get_ok(client, "/labs/"), started)
    assert client.get(f"/teams/{team.pk}/").status_code == 404
    assert client.get(f"/classes/{started.pk}/").status_code == 404


def test_an_administrator_sees_every_teams_classes(started: LabClass, admin: User) -> None:
    assert roster_link(started) in class_row(get_ok(signed_in(admin), "/labs/"), started)


def test_the_roster_offers_watch_asks_before_reset_and_end_and_shows_clock_times(
    started: LabClass, instructor: User, member: User
) -> None:
    session = started.sessions.get(learner=member)
    LabSession.objects.filter(pk=session.pk).update(
        state=LabSession.State.RUNNING,
        expires_at=timezone.now() + timedelta(seconds=2438.5),
        last_activity_at=timezone.now() - timedelta(seconds=75),
    )
    html = get_ok(signed_in(instructor), f"/classes/{started.pk}/").decode()
    row = re.search(rf'<tr id="session-{session.pk}".*?</tr>', html, re.S).group(0)
    assert f'href="/sessions/{session.pk}/" class="watch">Watch</a>' in row
    reset = re.search(r"<button[^>]*value=\"reset\"[^>]*>", row).group(0)
    end = re.search(r"<button[^>]*value=\"end\"[^>]*>", row).group(0)
    assert "data-confirm=\"Reset member's session?" in reset
    assert "data-confirm=\"End member's session?" in end
    assert re.search(r'class="num time-left">40:3[78]<', row)  # not "2438 s"
    assert re.search(r'class="num idle">1:1[56]<', row)


def test_an_instructors_extend_is_audited_as_theirs(
    started: LabClass, instructor: User, member: User
) -> None:
    session = started.sessions.get(learner=member)
    LabSession.objects.filter(pk=session.pk).update(state=LabSession.State.RUNNING)
    response = signed_in(instructor).post(f"/sessions/{session.pk}/extend/", {"back": "roster"})
    assert response.status_code == 302 and response["Location"] == f"/classes/{started.pk}/"
    row = AuditEvent.objects.get(action="extend lab session")
    assert (row.actor_id, row.target_id, row.team_id) == (instructor.pk, str(session.pk),
                                                          started.team_id)  # fmt: skip
    session.refresh_from_db()
    assert session.extended_minutes == 5


def test_an_instructors_reset_is_audited_as_theirs_not_as_the_learner_starting(
    launched: Callable[..., LabSession], instructor: User, member: User
) -> None:
    session = launched()
    starts = AuditEvent.objects.filter(action="start lab session", target_id=str(session.pk))
    assert list(starts.values_list("actor_id", flat=True)) == [member.pk]
    response = signed_in(instructor).post(f"/sessions/{session.pk}/reset/", {"back": "roster"})
    assert response.status_code == 302
    launch_on_worker(session.pk, again=True)  # as the queued task runs it
    session.refresh_from_db()
    assert session.state == LabSession.State.RUNNING
    reset = AuditEvent.objects.get(action="reset lab session", target_id=str(session.pk))
    assert reset.actor_id == instructor.pk and reset.team_id == session.lab_class.team_id
    assert starts.count() == 1  # the remake is not a second start of the learner's


def open_form(team: Team, **parameters: str) -> dict[str, str]:
    form = {"team": str(team.pk), "minutes": "30", "idle_minutes": "10",
            "sessions_per_learner": "1"}  # fmt: skip
    return {**form, **{f"param_{name}": value for name, value in parameters.items()}}


def test_a_class_of_an_image_off_the_allow_list_does_not_open(instructor: User, team: Team) -> None:
    # The bundled lab's default, centos:7: not on the team's list (and Docker Hub is out of reach).
    response = signed_in(instructor).post("/labs/docker-engine/", open_form(team))
    assert response.status_code == 400
    assert "centos:7 is not on the list of images team" in text_of(response.content)
    assert not LabClass.objects.exists()


def test_a_class_of_an_image_no_engine_has_or_can_pull_does_not_open(
    instructor: User, team: Team, registry: str
) -> None:
    missing = f"{registry}/dockboard-test/never-pushed-{RUN_ID.lower()}:7"
    response = signed_in(instructor).post("/labs/docker-engine/", open_form(team, image=missing))
    assert response.status_code == 400
    said = text_of(response.content)
    assert f"{missing} is not on engine local, and the engine cannot pull it" in said
    assert "manifest unknown" in said.lower()  # the registry's own answer, through the engine
    assert not LabClass.objects.exists()


def test_a_class_opens_when_its_image_can_be_pulled(
    instructor: User, team: Team, lab_image: str
) -> None:
    response = signed_in(instructor).post("/labs/docker-engine/", open_form(team, image=lab_image))
    assert response.status_code == 302
    assert LabClass.objects.get().parameters["image"] == lab_image


def test_an_instructor_changes_an_open_classs_parameters(
    lab_class: LabClass, instructor: User, registry: str, member: User
) -> None:
    client = signed_in(instructor)
    url = f"/classes/{lab_class.pk}/parameters/"
    before = dict(lab_class.parameters)
    missing = f"{registry}/dockboard-test/never-pushed-{RUN_ID.lower()}:1"
    refused = client.post(url, {"param_image": missing, "param_greeting": "hi"})
    assert refused.status_code == 400 and "cannot pull it" in text_of(refused.content)
    refused = client.post(url, {"param_image": before["image"], "param_greeting": "Hi there"})
    assert refused.status_code == 400  # off the parameter's pattern, [a-z]+
    lab_class.refresh_from_db()
    assert lab_class.parameters == before
    changed = client.post(
        url, {"param_image": before["image"], "param_greeting": "hi"}, follow=True
    )
    assert "The class&#x27;s parameters are changed." in changed.content.decode()
    lab_class.refresh_from_db()
    assert lab_class.parameters == {**before, "greeting": "hi"}
    row = AuditEvent.objects.get(action="change class")
    assert (row.actor_id, row.target_id) == (instructor.pk, str(lab_class.pk))
    # Not a member's to change; nor anyone's once the class has ended.
    assert signed_in(member).post(url, {"param_greeting": "zz"}).status_code == 404
    actions.end_class(instructor, lab_class)
    ended = client.post(url, {"param_image": before["image"], "param_greeting": "later"})
    assert ended.status_code == 400 and "This class has ended." in text_of(ended.content)
