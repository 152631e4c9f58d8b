"""The audit log: a row for every state change and refusal, read by administrators (all) and
instructors (their team's), filtered, exported as CSV, kept 90 days; and the login lockout."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from audit.receivers import prune_old_rows
from dashboard.actions import audit
from dashboard.models import AuditEvent, Team
from tests.harness.accounts import PASSWORD, signed_in
from tests.pages import text_of

pytestmark = pytest.mark.django_db


def exported(client: Client, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/audit/export.csv{query}")
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_every_container_action_leaves_one_row(
    member_client: Client, member: User, make_container, team: Team
) -> None:
    container = make_container("sleep 600", name="audited", init=True)
    for action in ("stop", "start", "restart", "pause", "unpause", "kill"):
        member_client.post(f"/engines/local/containers/{container.id}/actions/", {"action": action})
    member_client.post(
        f"/engines/local/containers/{container.id}/actions/",
        {"action": "rename", "name": f"{container.name}-2"},
    )
    member_client.post(
        f"/engines/local/containers/{container.id}/actions/", {"action": "remove", "force": "on"}
    )
    rows = AuditEvent.objects.filter(actor=member, target_id=container.id).order_by("id")
    assert [r.action for r in rows] == [
        "stop",
        "start",
        "restart",
        "pause",
        "unpause",
        "kill",
        "rename",
        "remove",
    ]
    assert all(
        r.outcome == "ok" and r.team_id == team.pk and r.client_ip == "127.0.0.1" for r in rows
    )
    assert rows.get(action="remove").command == f"docker rm -f {container.name}-2"


def test_an_engine_error_is_recorded_as_such(member_client: Client, make_container) -> None:
    container = make_container("sleep 600", name="busy", init=True)
    member_client.post(f"/engines/local/containers/{container.id}/actions/", {"action": "remove"})
    row = AuditEvent.objects.get(action="remove", target_id=container.id)
    assert row.outcome == "error" and "running container" in row.reason.lower()


def test_logins_failures_and_logouts_are_recorded(client: Client, member: User) -> None:
    client.post("/accounts/login/", {"username": "member", "password": "wrong"})
    client.post("/accounts/login/", {"username": "member", "password": PASSWORD})
    client.post("/accounts/logout/")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "outcome"))
    assert actions == [("login-failed", "refused"), ("login", "ok"), ("logout", "ok")]


def test_repeated_failures_lock_the_user_out(client: Client, member: User, settings) -> None:
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "member", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "member", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed logins" in text_of(locked.content)
    assert client.get("/engines/local/containers/").status_code == 302  # not signed in
    lockouts = AuditEvent.objects.filter(action="lockout")
    assert lockouts.exists()
    assert {(row.target_name, row.outcome) for row in lockouts} == {("member", "refused")}
    other_address = Client(REMOTE_ADDR="127.0.0.9")
    assert (
        other_address.post(
            "/accounts/login/", {"username": "member", "password": PASSWORD}
        ).status_code
        == 302
    )  # locked per user and address


def test_who_reads_which_rows(
    admin: User, instructor: User, member: User, team: Team, outsider: User
) -> None:
    other = Team.objects.create(name="other-team")
    audit.record(member, "stop", target_name="ours", team_id=team.pk)
    audit.record(admin, "stop", target_name="theirs", team_id=other.pk)
    assert {r["target_name"] for r in exported(signed_in(admin))} >= {"ours", "theirs"}
    seen = {r["target_name"] for r in exported(signed_in(instructor))}
    assert "ours" in seen and "theirs" not in seen
    assert signed_in(member).get("/audit/").status_code == 403
    assert signed_in(outsider).get("/audit/export.csv").status_code == 403


def test_a_long_log_pages_with_its_filters_kept(admin: User, instructor: User, team: Team) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(actor_name="admin", action="stop", target_name=f"row-{n}", team=team)
        for n in range(101)
    )
    for reader in (admin, instructor):
        client = signed_in(reader)
        first = client.get("/audit/?action=stop")
        assert first.status_code == 200
        assert 'href="?action=stop&amp;page=2" rel="next"' in first.content.decode()
        second = client.get("/audit/?action=stop&page=2")
        assert second.status_code == 200
        assert "Page 2 of 2" in text_of(second.content)


def test_filters_apply_to_the_page_and_the_export(admin: User, member: User, team: Team) -> None:
    audit.record(member, "stop", target_name="a", team_id=team.pk)
    audit.record(member, "kill", target_name="b", team_id=team.pk)
    audit.record(admin, "kill", target_name="c")
    client = signed_in(admin)
    rows = exported(client, "?user=member&action=kill")
    assert [r["target_name"] for r in rows] == ["b"]
    page = text_of(client.get(f"/audit/?team={team.name}").content)
    assert " a " in f" {page} " and "kill" in page
    today = timezone.now().date().isoformat()
    assert len(exported(client, f"?since={today}&until={today}&user=member")) == 2
    assert exported(client, "?since=2000-01-01&until=2000-01-02") == []
    assert client.get("/audit/?since=garbage&page=abc").status_code == 200


def test_export_cells_cannot_become_spreadsheet_formulas(admin: User) -> None:
    audit.record(admin, "rename", target_name='=HYPERLINK("http://x")')
    rows = exported(signed_in(admin), "?action=rename")
    assert rows[0]["target_name"].startswith("'=")


def test_rows_older_than_the_retention_are_pruned(admin: User, settings) -> None:
    audit.record(admin, "stop", target_name="old")
    audit.record(admin, "stop", target_name="new")
    AuditEvent.objects.filter(target_name="old").update(
        created_at=timezone.now() - timedelta(days=settings.DOCKBOARD_AUDIT_DAYS + 1)
    )
    assert prune_old_rows(sender=None) == 1
    assert list(AuditEvent.objects.values_list("target_name", flat=True)) == ["new"]


def test_the_audit_page_in_korean(admin: User) -> None:
    audit.record(admin, "stop", target_name="x")
    text = text_of(signed_in(admin).get("/audit/", headers={"Accept-Language": "ko"}).content)
    assert "감사 기록" in text and "CSV로 내보내기" in text
