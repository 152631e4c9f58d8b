"""Single sign-on with a real OpenID provider on loopback (node-oidc-provider): people made at
their first sign-in, roles that follow their groups at every sign-in, and each way it can go
wrong refused with a message: no group, another issuer, an expired token, a replayed or foreign
state. Passwords off but for the break-glass administrator. Mapping groups: administrators only.
"""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.core import checks
from django.test import Client, override_settings

from dashboard.models import AuditEvent, Membership, Team
from signon import discovery
from signon.models import GroupMapping, SignOnIdentity
from tests.harness.accounts import PASSWORD, signed_in
from tests.harness.oidc import Provider, through_provider
from tests.pages import text_of

pytestmark = pytest.mark.django_db
CALLBACK = "http://testserver/oidc/callback/"
KIM = {"preferred_username": "kim", "email": "kim@example.test", "groups": ["class-a"]}


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[Provider]:
    with Provider(tmp_path, [CALLBACK]) as running, override_settings(**running.settings()):
        running.set_accounts({"kim-subject": KIM})
        yield running
    discovery.forget()


def sign_in(client: Client, login: str = "kim-subject", next_page: str = "") -> object:
    """The whole round trip, as a browser makes it; Dockboard's answer to the callback."""
    started = client.get("/oidc/authenticate/" + (f"?next={next_page}" if next_page else ""))
    assert started.status_code == 302, text_of(started.content)[:500]
    back = through_provider(started["Location"], login, CALLBACK)
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def test_a_first_sign_in_makes_the_person_with_what_their_groups_give(
    provider: Provider, team: Team
) -> None:
    GroupMapping.objects.create(group="class-a", team=team, role=Membership.Role.MEMBER)
    client = Client()
    assert "Sign in with Test Directory" in text_of(client.get("/accounts/login/").content)
    answer = sign_in(client, next_page="/engines/local/containers/")
    assert answer.status_code == 302 and answer["Location"] == "/engines/local/containers/"
    kim = User.objects.get(username="kim")
    assert kim.email == "kim@example.test" and not kim.has_usable_password()
    assert SignOnIdentity.objects.get(user=kim).subject == "kim-subject"
    assert list(kim.memberships.values_list("team_id", "role")) == [(team.pk, "member")]
    assert client.get("/engines/local/containers/").status_code == 200
    assert AuditEvent.objects.filter(action="sso-role-change", target_name="kim",
                                     reason="member").exists()  # fmt: skip


def test_roles_follow_the_groups_at_each_sign_in_and_no_group_shuts_the_person_out(
    provider: Provider, team: Team
) -> None:
    other = Team.objects.create(name=f"{team.name}-b")
    with override_settings(
        DOCKBOARD_SSO_GROUPS=f"teachers={team.name}:instructor;ops=administrator"
    ):
        GroupMapping.objects.create(group="class-a", team=team, role=Membership.Role.MEMBER)
        GroupMapping.objects.create(group="class-b", team=other, role=Membership.Role.VIEWER)
        first = Client()
        assert sign_in(first).status_code == 302
        kim = User.objects.get(username="kim")

        provider.set_accounts({"kim-subject": {**KIM, "groups": ["teachers", "class-a", "ops"]}})
        second = Client()
        assert sign_in(second).status_code == 302
        kim.refresh_from_db()
        assert kim.is_superuser  # ops: administrator
        assert list(kim.memberships.values_list("role", flat=True)) == ["instructor"]  # highest

        provider.set_accounts({"kim-subject": {**KIM, "groups": ["class-b"]}})
        assert sign_in(Client()).status_code == 302
        kim.refresh_from_db()
        assert not kim.is_superuser
        assert list(kim.memberships.values_list("team_id", "role")) == [(other.pk, "viewer")]

        provider.set_accounts({"kim-subject": {**KIM, "groups": ["elsewhere"]}})
        refused = sign_in(Client())
        assert refused.status_code == 403
        assert "Your groups at Test Directory give you no place in Dockboard" in text_of(
            refused.content
        )
        kim.refresh_from_db()
        assert not kim.is_active
        # Signed out everywhere: the sessions of the earlier sign-ins are gone.
        for client in (first, second):
            assert client.get("/engines/local/containers/").status_code == 302

        provider.set_accounts({"kim-subject": KIM})  # a group again: back in
        assert sign_in(Client()).status_code == 302
        kim.refresh_from_db()
        assert kim.is_active


def test_nobody_is_made_for_groups_that_give_nothing(provider: Provider) -> None:
    refused = sign_in(Client())
    assert refused.status_code == 403
    assert not User.objects.filter(username="kim").exists()
    assert AuditEvent.objects.filter(action="login-failed", outcome="refused",
                                     reason__contains="no place").exists()  # fmt: skip


def test_a_provider_that_calls_itself_another_issuer_is_refused(tmp_path: Path, team: Team) -> None:
    with Provider(tmp_path, [CALLBACK], issuer="http://localhost:1") as impostor:
        settings = impostor.settings()
        with override_settings(**settings):
            refused = Client().get("/oidc/authenticate/")
    discovery.forget()
    assert refused.status_code == 403
    assert (
        f"calls itself http://localhost:1, not {settings['DOCKBOARD_OIDC_ISSUER']}: refused"
        in text_of(refused.content)
    )


def test_an_expired_id_token_is_refused(tmp_path: Path, team: Team) -> None:
    GroupMapping.objects.create(group="class-a", team=team, role=Membership.Role.MEMBER)
    with Provider(tmp_path, [CALLBACK], clock_offset=-7200) as late:
        late.set_accounts({"kim-subject": KIM})
        with override_settings(**late.settings()):
            refused = sign_in(Client())
    discovery.forget()
    assert refused.status_code == 403
    assert "The sign-in from Test Directory had expired: sign in again." in text_of(refused.content)
    assert not User.objects.filter(username="kim").exists()


def test_a_replayed_or_foreign_callback_is_refused(provider: Provider, team: Team) -> None:
    GroupMapping.objects.create(group="class-a", team=team, role=Membership.Role.MEMBER)
    client = Client()
    started = client.get("/oidc/authenticate/")
    back = urlsplit(through_provider(started["Location"], "kim-subject", CALLBACK))
    callback = f"{back.path}?{back.query}"

    # Another browser brings the code back: its session never started this sign-in.
    foreign = Client().get(callback)
    assert foreign.status_code == 403
    assert "This sign-in was not started here, or was used already." in text_of(foreign.content)

    assert client.get(callback).status_code == 302
    replayed = client.get(callback)
    assert replayed.status_code == 403
    assert "was used already" in text_of(replayed.content)


def test_passwords_off_but_for_the_break_glass_administrator(
    provider: Provider, admin: User, member: User
) -> None:
    with override_settings(DOCKBOARD_LOCAL_LOGIN=False, DOCKBOARD_BREAK_GLASS=admin.username):
        page = text_of(Client().get("/accounts/login/").content)
        assert "Sign in with Test Directory" in page and "Break-glass administrator" in page
        refused = Client().post("/accounts/login/",
                                {"username": member.username, "password": PASSWORD})  # fmt: skip
        assert refused.status_code == 200
        assert "Passwords are turned off here: sign in with Test Directory." in text_of(
            refused.content
        )
        allowed = Client().post("/accounts/login/",
                                {"username": admin.username, "password": PASSWORD})  # fmt: skip
        assert allowed.status_code == 302


def test_only_administrators_map_groups(
    admin_client: Client, member_client: Client, instructor: User, team: Team
) -> None:
    for outsider in (member_client, signed_in(instructor)):
        assert outsider.get("/signon/groups/").status_code == 403
        denied = outsider.post("/signon/groups/", {"group": "g", "grant": "administrator"})
        assert denied.status_code == 403
    assert not GroupMapping.objects.exists()

    added = admin_client.post("/signon/groups/", {"group": "class-a", "grant": "member",
                                                   "team": team.pk})  # fmt: skip
    assert added.status_code == 302
    rule = GroupMapping.objects.get()
    assert (rule.group, rule.team_id, rule.role) == ("class-a", team.pk, "member")
    again = admin_client.post("/signon/groups/", {"group": "class-a", "grant": "viewer",
                                                   "team": team.pk})  # fmt: skip
    assert again.status_code == 400
    assert "already gives a role in" in text_of(again.content)
    no_team = admin_client.post("/signon/groups/", {"group": "x", "grant": "member"})
    assert "A role is in a team: choose the team." in text_of(no_team.content)

    with override_settings(DOCKBOARD_SSO_GROUPS=f"teachers={team.name}:instructor"):
        page = text_of(admin_client.get("/signon/groups/").content)
    assert "class-a member" in page and f"teachers instructor · {team.name}" in page
    assert member_client.post(f"/signon/groups/{rule.pk}/remove/").status_code == 403
    assert admin_client.post(f"/signon/groups/{rule.pk}/remove/").status_code == 302
    assert not GroupMapping.objects.exists()
    changes = AuditEvent.objects.filter(action__in=["sso-mapping-add", "sso-mapping-remove"])
    assert sorted(changes.values_list("actor_name", "outcome")) == [
        ("admin", "ok"), ("admin", "ok"), ("member", "refused")
    ]  # fmt: skip


def test_without_a_provider_the_sign_on_pages_say_so(client: Client) -> None:
    for url in ("/oidc/authenticate/", "/oidc/callback/?code=x&state=y"):
        answer = client.get(url)
        assert answer.status_code == 403
        assert "Single sign-on is not set up here." in text_of(answer.content)
    assert "Sign in with" not in text_of(client.get("/accounts/login/").content)


def test_sign_on_settings_that_cannot_work_stop_the_start() -> None:
    with override_settings(DOCKBOARD_SSO_GROUPS="teachers=instructor", DOCKBOARD_OIDC_ISSUER="x",
                           OIDC_RP_CLIENT_SECRET=""):  # fmt: skip
        found = {error.id: error.msg for error in checks.run_checks()}
    assert (
        "'teachers=instructor' is neither GROUP=administrator nor GROUP=TEAM:ROLE"
        in found["signon.E003"]
    )
    assert "without DOCKBOARD_OIDC_CLIENT_ID and _SECRET" in found["signon.E002"]
