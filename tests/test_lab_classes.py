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
