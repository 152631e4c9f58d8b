"""Team pages, policy, invitations, roles and deactivation, each with the owner / member /
outsider trio: administrators and instructors manage, members read, everyone else finds nothing."""

import asyncio
import time
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from dashboard.models import AuditEvent, Membership, Team
from teams.models import Invitation
from tests.harness.accounts import session_cookie, signed_in
from tests.pages import text_of
from tests.terminal_client import TerminalClient

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a long passphrase for 2026"


def invite_link(client: Client, team: Team, role: str = "member") -> str:
    response = client.post(f"/teams/{team.pk}/invitations/", {"role": role, "names": "kim"})
    assert response.status_code == 200, text_of(response.content)
    html = response.content.decode()
    return html.split('id="invitation-link" aria-label', 1)[0].split('value="')[-1].split('"')[0]


def accept(link: str, username: str) -> object:
    path = link.split("://", 1)[1].split("/", 1)[1]
    return Client().post(
        f"/{path}", {"username": username, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


def test_the_team_page_shows_every_policy_value_and_the_quota_use(
    member_client: Client, team: Team, make_container
) -> None:
    make_container("sleep 600")
    text = text_of(member_client.get(f"/teams/{team.pk}/").content)
    for shown in (
        "512 MiB",
        "(swap equal to it)",
        "256",
        "json-file, max-size 10m, max-file 3",
        "--cap-drop ALL",
        "no-new-privileges",
        "off",
        team.image_patterns[0],
    ):
        assert shown in text, shown
    assert "1 / 100" in text  # the member's one container, of their quota
    assert "Members" not in text  # only managers see the member list


def test_only_administrators_change_the_policy(
    admin_client: Client, instructor: User, team: Team
) -> None:
    change = {
        **{
            f: getattr(team, f)
            for f in (
                "pids_limit",
                "log_max_size",
                "log_max_files",
                "member_containers",
                "member_volumes",
                "team_volumes",
                "team_containers",
                "engines",
            )
        },
        "allowed_images": "busybox\n127.0.0.1:5000/acc/*",
        "max_memory": "256m",
        "max_cpus": "0.5",
        "memory_request": "32m",
        "cpu_request": "0.05",
        "member_memory": "1g",
        "member_cpus": "1",
        "team_memory": "8g",
        "team_cpus": "4",
        "port_range_start": "20000",
        "port_range_end": "20099",
        "recording": "all",
        "record_input": "on",
        "build_minutes": "5",
        "build_size": "300m",
    }
    refused = signed_in(instructor).post(f"/teams/{team.pk}/policy/", change)
    assert refused.status_code == 403
    assert signed_in(instructor).post("/teams/", {"name": "mine"}).status_code == 403
    refusals = AuditEvent.objects.filter(outcome="refused", actor=instructor)
    assert sorted(refusals.values_list("action", flat=True)) == ["policy-change", "team-create"]
    response = admin_client.post(f"/teams/{team.pk}/policy/", change, follow=True)
    assert "Saved the policy" in text_of(response.content)
    team.refresh_from_db()
    assert team.max_memory == 256 * 1024**2 and team.port_range_end == 20099
    assert team.memory_request == 32 * 1024**2 and str(team.cpu_request) == "0.05"
    assert team.build_minutes == 5 and team.build_size == 300 * 1024**2
    above = {**change, "memory_request": "512m"}  # a request is at most the limit
    said = text_of(admin_client.post(f"/teams/{team.pk}/policy/", above).content)
    assert "A request is above 0 and at most the limit." in said
    assert team.image_patterns == ["busybox", "127.0.0.1:5000/acc/*"]
    assert (team.recording, team.record_input) == ("all", True)
    bad = admin_client.post(
        f"/teams/{team.pk}/policy/",
        {**change, "allowed_images": "Not An Image", "port_range_end": ""},
    )
    assert bad.status_code == 400
    assert "Not an image pattern: Not An Image" in text_of(bad.content)
    assert "Give both host ports" in text_of(bad.content)
    unknown = admin_client.post(
        f"/teams/{team.pk}/policy/", {**change, "engines": "local\nnowhere"}
    )
    assert "No such engine: nowhere" in text_of(unknown.content)
    assert AuditEvent.objects.filter(action="policy-change", team=team, outcome="ok").count() == 1


def test_outsiders_and_other_teams_find_no_team(outsider: User, member: User, team: Team) -> None:
    other = Team.objects.create(name="other-class")
    assert signed_in(outsider).get(f"/teams/{team.pk}/").status_code == 404
    assert signed_in(member).get(f"/teams/{other.pk}/").status_code == 404
    listed = text_of(signed_in(member).get("/teams/").content)
    assert team.name in listed and "other-class" not in listed


def test_an_invitation_works_once_then_404s(instructor: User, team: Team) -> None:
    link = invite_link(signed_in(instructor), team, "viewer")
    page = Client().get("/" + link.split("/", 3)[3])
    assert page.status_code == 200 and team.name in text_of(page.content)
    joined = accept(link, "newcomer")
    assert joined.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert Membership.objects.get(user=newcomer, team=team).role == "viewer"
    again = accept(link, "second")
    assert again.status_code == 404 and "This invitation does not work" in text_of(again.content)
    assert not User.objects.filter(username="second").exists()
    invitation = Invitation.objects.get()
    assert len(invitation.digest) == 64 and link.rsplit("/", 2)[-2] not in invitation.digest
    assert AuditEvent.objects.filter(action="invitation-used", actor=newcomer).exists()


def test_an_expired_invitation_404s(admin_client: Client, team: Team) -> None:
    link = invite_link(admin_client, team)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert accept(link, "late").status_code == 404


def test_members_and_viewers_may_not_invite(member: User, viewer: User, team: Team) -> None:
    for user in (member, viewer):
        response = signed_in(user).post(f"/teams/{team.pk}/invitations/", {"role": "instructor"})
        assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_the_invite_command_prints_one_link_a_row(tmp_path, capsys) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("김민수,kim@example.org\n이서연,lee@example.org\n")
    call_command("invite", "--team", "night-class", "--role", "member", "--csv", str(roster))
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(",")[0] for line in lines] == ["김민수", "이서연"]
    assert all("/invitations/" in line for line in lines)
    team = Team.objects.get(name="night-class")  # made when missing
    assert Invitation.objects.filter(team=team, role="member").count() == 2
    assert accept(lines[0].split(",", 1)[1], "minsu").status_code == 302


def test_the_team_command_sets_the_policy(capsys) -> None:
    call_command(
        "team",
        "lab",
        "--allow-image",
        "127.0.0.1:5000/acc/*",
        "--allow-image",
        "busybox",
        "--containers",
        "3",
        "--memory",
        "1g",
        "--cpus",
        "1.5",
    )
    team = Team.objects.get(name="lab")
    assert team.image_patterns == ["127.0.0.1:5000/acc/*", "busybox"]
    assert (team.member_containers, team.member_memory, str(team.member_cpus)) == (
        3,
        1024**3,
        "1.50",
    )
    call_command("team", "lab", "--containers", "4")
    team.refresh_from_db()
    assert team.member_containers == 4 and len(team.image_patterns) == 2
    assert team.engine_names == ["local"]
    assert "team lab updated" in capsys.readouterr().out


def test_instructors_change_roles_in_their_team(instructor: User, member: User, team: Team) -> None:
    client = signed_in(instructor)
    response = client.post(
        f"/teams/{team.pk}/members/{member.pk}/", {"role": "viewer"}, follow=True
    )
    assert f"member is now viewer in {team.name}" in text_of(response.content)
    assert Membership.objects.get(user=member).role == "viewer"
    client.post(f"/teams/{team.pk}/members/{member.pk}/", {"role": ""})
    assert not Membership.objects.filter(user=member).exists()
    assert AuditEvent.objects.filter(action="role-change").count() == 2


def test_the_users_page_is_for_managers(
    admin_client: Client, instructor: User, member: User, outsider: User
) -> None:
    text = text_of(admin_client.get("/users/").content)
    assert "teacher" in text and "member" in text and "outsider" in text
    instructors = text_of(signed_in(instructor).get("/users/").content)
    assert "member" in instructors and "outsider" not in instructors
    assert signed_in(member).get("/users/").status_code == 403
    assert (
        signed_in(instructor).post(f"/users/{outsider.pk}/active/", {"active": "0"}).status_code
        == 404
    )


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_deactivating_a_user_closes_their_terminal_and_sessions(
    make_container, member: User, admin: User, team: Team
) -> None:
    container = make_container()
    cookie = await database_sync_to_async(session_cookie)(member)
    terminal = TerminalClient(f"/ws/containers/{container.id}/attach/", cookie)
    assert await terminal.connect()
    await terminal.event("hello")
    admin_client = await database_sync_to_async(signed_in)(admin)
    started = time.monotonic()
    await database_sync_to_async(admin_client.post)(f"/users/{member.pk}/active/", {"active": "0"})
    ended = await terminal.event("ended", timeout=1.0)
    assert ended["reason"] == "logout" and time.monotonic() - started < 1.0
    await asyncio.sleep(0)

    def sessions_of_member() -> int:
        return sum(
            1
            for s in Session.objects.all()
            if s.get_decoded().get("_auth_user_id") == str(member.pk)
        )

    assert await database_sync_to_async(sessions_of_member)() == 0
    again = TerminalClient(f"/ws/containers/{container.id}/attach/", cookie)
    assert not await again.connect()
    rows = AuditEvent.objects.filter(action="deactivate").values_list("team_id", flat=True)
    deactivated = await database_sync_to_async(list)(rows)
    assert deactivated == [team.pk]  # the team's instructors read it too


def test_the_team_pages_in_korean(admin_client: Client, team: Team) -> None:
    text = text_of(
        admin_client.get(f"/teams/{team.pk}/", headers={"Accept-Language": "ko"}).content
    )
    for korean in ("정책", "할당량 사용", "구성원", "초대"):
        assert korean in text
