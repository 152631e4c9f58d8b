"""The first administrator: a one-time setup link, and no default password anywhere."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dashboard.ops.first_run import issue_setup_token

pytestmark = pytest.mark.django_db

NEW_ADMIN = {
    "username": "teacher",
    "password1": "a long pass phrase 7",
    "password2": "a long pass phrase 7",
}


def test_setup_link_creates_the_first_administrator_once(client: Client) -> None:
    token = issue_setup_token()
    assert token

    page = client.get(f"/setup/{token}/")
    assert page.status_code == 200
    assert b"Create the administrator" in page.content

    created = client.post(f"/setup/{token}/", NEW_ADMIN)
    assert created.status_code == 302
    assert created["Location"] == "/engines/local/"
    admin = User.objects.get()
    assert admin.username == "teacher" and admin.is_superuser and admin.is_staff
    assert client.get("/engines/local/").wsgi_request.user == admin

    again = Client().post(f"/setup/{token}/", {**NEW_ADMIN, "username": "intruder"})
    assert again.status_code == 404
    assert b"Setup link not valid" in again.content
    assert list(User.objects.values_list("username", flat=True)) == ["teacher"]
    assert Client().get(f"/setup/{token}/").status_code == 404


def test_no_link_once_a_user_exists(member: User) -> None:
    assert issue_setup_token() is None


def test_a_new_link_replaces_the_old_one(client: Client) -> None:
    old = issue_setup_token()
    new = issue_setup_token()
    assert client.get(f"/setup/{old}/").status_code == 404
    assert client.get(f"/setup/{new}/").status_code == 200


def test_a_made_up_token_is_refused(client: Client) -> None:
    issue_setup_token()
    response = client.post("/setup/guessed-token/", NEW_ADMIN)
    assert response.status_code == 404
    assert not User.objects.exists()


def test_weak_or_mismatched_passwords_are_refused_and_the_link_still_works(client: Client) -> None:
    token = issue_setup_token()
    response = client.post(
        f"/setup/{token}/", {"username": "teacher", "password1": "1234", "password2": "12345"}
    )
    assert response.status_code == 400
    assert b"didn" in response.content  # "The two password fields didn't match."
    assert b'value="teacher"' in response.content
    assert not User.objects.exists()
    assert client.post(f"/setup/{token}/", NEW_ADMIN).status_code == 302
