"""Registry logins, against the loopback registry with htpasswd: a team's pull fails with a
clear message until an instructor stores a login, which the registry checks first; then the
team's pulls log in. The password is kept encrypted and never shown again, is replaced and
removed with an audit trail, survives a key rotation, and never serves another team."""

import docker
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from dashboard.models import GIB, AuditEvent, RegistryLogin, Team
from dashboard.ops import vault
from tests.harness.accounts import join, signed_in
from tests.harness.registry import PRIVATE_LOGIN, allowing
from tests.harness.run import RUN_ID
from tests.pages import get_ok, text_of
from tests.pull_jobs import ask_pull, finished, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
USER, SECRET = PRIVATE_LOGIN


def pulled(client: Client, reference: str, engine: docker.DockerClient) -> object:
    job = wait_for(ask_pull(client, reference), finished)
    if job.state == "succeeded":
        engine.images.remove(reference)  # for the next pull to ask the registry again
    return job


def store(client: Client, team: Team, reference: str, password: str) -> object:
    registry = reference.split("/", 1)[0]
    fields = {"registry": f"http://{registry}/", "engine": "", "username": USER,
              "password": password}  # fmt: skip
    return client.post(f"/teams/{team.pk}/registries/", fields)


def test_a_teams_stored_login_lets_its_pulls_in(
    team: Team, member: User, instructor: User, outsider: User, start_worker,
    private_image: str, engine: docker.DockerClient,
) -> None:  # fmt: skip
    allowing(team, private_image)
    registry = private_image.split("/", 1)[0]
    start_worker()
    as_member, as_instructor = signed_in(member), signed_in(instructor)

    job = pulled(as_member, private_image, engine)
    assert job.state == "failed"
    assert f"{registry} asks for a login, and none of your teams has stored one" in job.error
    assert job.error in text_of(get_ok(as_member, f"/engines/local/images/pulls/{job.pk}/"))

    wrong = store(as_instructor, team, private_image, "not-the-password")
    assert wrong.status_code == 400
    assert f"{registry} did not accept this login" in text_of(wrong.content)
    assert store(as_member, team, private_image, SECRET).status_code == 403
    assert store(signed_in(outsider), team, private_image, SECRET).status_code == 404
    assert not RegistryLogin.objects.exists()

    assert store(as_instructor, team, private_image, SECRET).status_code == 302
    login = RegistryLogin.objects.get()
    assert (login.registry, login.engine, login.username) == (registry, "", USER)
    assert SECRET not in login.secret and vault.decrypt(login.secret) == SECRET
    team_page = get_ok(as_instructor, f"/teams/{team.pk}/").decode()
    assert f'data-registry="{registry}"' in team_page and SECRET not in team_page
    assert registry in text_of(get_ok(as_member, "/engines/local/images/pull/"))
    assert AuditEvent.objects.filter(action="registry-login-add", target_name=registry).exists()

    job = pulled(as_member, private_image, engine)
    assert job.state == "succeeded", job.error
    login.refresh_from_db()
    assert login.last_used_at is not None


def test_a_login_is_replaced_rotated_and_removed_and_serves_its_team_alone(
    team: Team, member: User, instructor: User, start_worker, private_image: str,
    engine: docker.DockerClient,
) -> None:  # fmt: skip
    allowing(team, private_image)
    other_team = allowing(
        Team.objects.create(name=f"other-{RUN_ID}", allowed_images="", member_memory=GIB),
        private_image,
    )
    stranger = join(
        User.objects.create_user("stranger", password="pw-stranger-1"), other_team, "member"
    )
    start_worker()
    as_instructor = signed_in(instructor)
    assert store(as_instructor, team, private_image, SECRET).status_code == 302
    login = RegistryLogin.objects.get()

    job = pulled(signed_in(stranger), private_image, engine)  # another team: not theirs
    assert job.state == "failed" and "asks for a login" in job.error

    rotate = f"/teams/{team.pk}/registries/{login.pk}/password/"
    before = login.secret
    refused = as_instructor.post(rotate, {"username": USER, "password": "wrong"}, follow=True)
    assert "did not accept this login" in text_of(refused.content)
    login.refresh_from_db()
    assert login.secret == before and login.rotated_at is None
    as_instructor.post(rotate, {"username": USER, "password": SECRET})
    login.refresh_from_db()
    assert login.rotated_at is not None and vault.decrypt(login.secret) == SECRET

    before = login.secret
    call_command("rotatevaultkeys")
    login.refresh_from_db()
    assert login.secret != before and vault.decrypt(login.secret) == SECRET
    job = pulled(signed_in(member), private_image, engine)  # the worker reads the new key
    assert job.state == "succeeded", job.error

    as_instructor.post(f"/teams/{team.pk}/registries/{login.pk}/remove/")
    assert not RegistryLogin.objects.exists()
    actions = set(
        AuditEvent.objects.filter(target_kind="registry").values_list("action", flat=True)
    )
    assert actions == {"registry-login-add", "registry-login-rotate", "registry-login-remove"}
    job = pulled(signed_in(member), private_image, engine)
    assert job.state == "failed" and "asks for a login" in job.error
