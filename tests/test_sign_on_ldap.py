"""Signing in against a real LDAP directory (Debian's slapd on loopback, people and groups
loaded here): people made at their first sign-in, never merged with a local account of the
same name; roles that follow their groups at every sign-in; no group, no way in; passwords
off leaves the directory and the break-glass administrator."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from dashboard.models import AuditEvent, Membership, Team
from signon.directory_sync import recheck_everyone
from signon.models import GroupMapping, SignOnIdentity
from teams.actions import set_active
from tests.harness.accounts import PASSWORD
from tests.harness.slapd import PEOPLE, Directory
from tests.pages import text_of

pytestmark = pytest.mark.django_db
SECRET = "kims directory password"


@pytest.fixture
def directory(tmp_path: Path, team: Team) -> Iterator[Directory]:
    with Directory(tmp_path) as running, override_settings(**running.settings()):
        running.add_person("kim", SECRET)
        running.set_group("class-a", ["kim"])
        running.set_group("teachers", [])
        GroupMapping.objects.create(group="class-a", team=team, role=Membership.Role.MEMBER)
        GroupMapping.objects.create(group="teachers", team=team, role=Membership.Role.INSTRUCTOR)
        yield running


def signed_in_as(username: str, password: str) -> tuple[Client, object]:
    client = Client()
    answer = client.post("/accounts/login/", {"username": username, "password": password})
    return client, answer


def test_a_person_of_the_directory_is_made_at_their_first_sign_in(
    directory: Directory, team: Team
) -> None:
    client, answer = signed_in_as("kim", SECRET)
    assert answer.status_code == 302, text_of(answer.content)[:400]
    kim = User.objects.get(username="kim")
    assert kim.email == "kim@dockboard.test" and not kim.has_usable_password()
    identity = SignOnIdentity.objects.get(user=kim)
    assert (identity.issuer, identity.subject) == (directory.uri, f"uid=kim,{PEOPLE}")
    assert list(kim.memberships.values_list("team_id", "role")) == [(team.pk, "member")]
    assert client.get("/engines/local/containers/").status_code == 200

    _client, wrong = signed_in_as("kim", "not the password")
    assert "Please enter a correct username and password" in text_of(wrong.content)


def test_a_local_account_of_the_same_name_stays_apart(directory: Directory, team: Team) -> None:
    local = User.objects.create_user("kim", password=PASSWORD)
    _client, answer = signed_in_as("kim", SECRET)
    assert answer.status_code == 302
    from_directory = SignOnIdentity.objects.get(subject=f"uid=kim,{PEOPLE}").user
    assert from_directory.username == "kim-2" and from_directory.pk != local.pk
    assert not local.memberships.exists()  # the directory's groups gave the local one nothing
    _client, own = signed_in_as("kim", PASSWORD)
    assert own.status_code == 302  # Dockboard's own password still opens the local account


def test_roles_follow_the_directorys_groups_and_no_group_shuts_the_person_out(
    directory: Directory, team: Team
) -> None:
    first, _answer = signed_in_as("kim", SECRET)
    directory.set_group("teachers", ["kim"])
    signed_in_as("kim", SECRET)
    kim = User.objects.get(username="kim")
    assert list(kim.memberships.values_list("role", flat=True)) == ["instructor"]

    directory.set_group("teachers", [])
    directory.set_group("class-a", [])
    _client, refused = signed_in_as("kim", SECRET)
    assert refused.status_code == 200
    assert "Your groups in the directory give you no place in Dockboard" in text_of(refused.content)
    kim.refresh_from_db()
    assert not kim.is_active
    assert first.get("/engines/local/containers/").status_code == 302  # signed out
    assert AuditEvent.objects.filter(action="deactivate", target_name="kim").exists()

    directory.set_group("class-a", ["kim"])
    _client, again = signed_in_as("kim", SECRET)
    assert again.status_code == 302
    kim.refresh_from_db()
    assert kim.is_active and list(kim.memberships.values_list("role", flat=True)) == ["member"]


def test_with_passwords_off_the_directory_and_the_break_glass_administrator_sign_in(
    directory: Directory, admin: User, member: User
) -> None:
    with override_settings(DOCKBOARD_LOCAL_LOGIN=False, DOCKBOARD_BREAK_GLASS=admin.username):
        assert signed_in_as("kim", SECRET)[1].status_code == 302
        assert signed_in_as(admin.username, PASSWORD)[1].status_code == 302
        _client, refused = signed_in_as(member.username, PASSWORD)
        assert refused.status_code == 200
        assert "Please enter a correct username and password" in text_of(refused.content)


def test_the_worker_rechecks_the_directory_between_sign_ins(
    directory: Directory, team: Team
) -> None:
    signed_in_client, _answer = signed_in_as("kim", SECRET)
    kim = User.objects.get(username="kim")
    assert SignOnIdentity.objects.get(user=kim).login == "kim"

    directory.set_group("teachers", ["kim"])
    assert recheck_everyone() == 1
    assert list(kim.memberships.values_list("role", flat=True)) == ["instructor"]
    assert signed_in_client.get("/engines/local/containers/").status_code == 200

    directory.set_group("teachers", [])
    directory.set_group("class-a", [])
    recheck_everyone()
    kim.refresh_from_db()
    assert not kim.is_active
    assert signed_in_client.get("/engines/local/containers/").status_code == 302  # signed out

    # Someone else now answers to the login: the re-check makes nobody and changes nothing.
    directory.set_group("class-a", ["kim"])
    SignOnIdentity.objects.filter(user=kim).update(subject="uid=someone-before,ou=people")
    users = User.objects.count()
    recheck_everyone()
    assert User.objects.count() == users


def test_a_deactivation_by_an_administrator_is_not_undone_by_the_directory(
    directory: Directory, admin: User
) -> None:
    signed_in_as("kim", SECRET)
    kim = User.objects.get(username="kim")
    set_active(admin, kim, False)
    assert recheck_everyone() == 0
    kim.refresh_from_db()
    assert not kim.is_active
    _client, refused = signed_in_as("kim", SECRET)
    assert "This account is deactivated." in text_of(refused.content)
