"""Personal access tokens for the `docker` CLI: made on one's own page or by `manage.py apitoken`,
shown once, hashed at rest, listed with their last use, revoked by their owner only."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from dashboard.models import AuditEvent, Team
from dockerapi import tokens
from dockerapi.models import ApiToken
from tests.harness.accounts import signed_in


def make(client: Client, **data: str):
    return client.post("/tokens/new/", {"name": "build server", "days": "30", **data})


def test_a_member_makes_a_token_and_sees_it_once(member: User, member_client: Client) -> None:
    page = make(member_client)
    assert page.status_code == 200
    secret = page.context["secret"]
    assert secret.startswith("dbk_") and secret in page.content.decode()
    assert "Bearer " + secret in page.content.decode()  # the config line to paste
    token = ApiToken.objects.get(user=member)
    assert token.digest != secret and secret not in {token.digest, token.prefix}
    assert tokens.valid(secret) == token
    again = member_client.get("/tokens/").content.decode()
    assert secret not in again and token.prefix in again and "never" not in again
    assert AuditEvent.objects.filter(actor=member, action="token").exists()


def test_a_token_names_one_team_when_its_person_has_several(
    member: User, member_client: Client, team: Team
) -> None:
    second = Team.objects.create(name="second", allowed_images=team.allowed_images)
    member.memberships.create(team=second, role="member")
    page = make(member_client)
    assert page.status_code == 400
    assert "Name the team whose containers the token makes" in page.content.decode()
    assert make(member_client, team="second").status_code == 200
    assert ApiToken.objects.get(user=member).team == second
    refused = make(member_client, team="not-mine")
    assert "You may not create containers in team not-mine" in refused.content.decode()


@pytest.mark.parametrize("days", ["0", "367", "-1", "ten", ""])
def test_a_tokens_life_is_one_day_to_a_year(member_client: Client, days: str) -> None:
    page = make(member_client, days=days)
    assert page.status_code == 400
    assert page.context["error"]
    assert not ApiToken.objects.exists()


def test_only_its_owner_revokes_a_token(
    member: User, other_member: User, member_client: Client
) -> None:
    make(member_client)
    token = ApiToken.objects.get(user=member)
    other = signed_in(other_member)
    refused = other.post(f"/tokens/{token.pk}/revoke/", follow=True)
    assert "No such token" in refused.content.decode()
    assert "build server" not in other.get("/tokens/").content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    page = member_client.post(f"/tokens/{token.pk}/revoke/", follow=True).content.decode()
    assert "Revoked build server" in page and "revoked" in page
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.is_valid


def test_signed_out_people_see_the_sign_in_page(db: None) -> None:
    for path in ("/tokens/", "/tokens/new/"):
        answer = Client().get(path)
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_the_command_line_prints_a_token_once(member: User, outsider: User) -> None:
    out = io.StringIO()
    call_command("apitoken", "member", "--days", "3", stdout=out)
    secret = out.getvalue().strip()
    assert tokens.valid(secret).user == member
    with pytest.raises(CommandError, match="Name the team"):
        call_command("apitoken", "outsider", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No active user"):
        call_command("apitoken", "nobody", stdout=io.StringIO())
