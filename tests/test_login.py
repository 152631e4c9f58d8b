"""Login on every page: anonymous visitors go to the login form; logout ends the session."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.harness.accounts import PASSWORD
from tests.routes import every_url

pytestmark = pytest.mark.django_db

# For load balancers, and for a scraper that brings a token (tests/test_health.py and
# tests/test_metrics.py); a Git host's signed push (tests/test_stack_git.py); the sign-on
# provider's round trip (tests/test_sign_on.py).
HEALTH = {"/healthz", "/readyz", "/metrics"}
PUBLIC = {"/accounts/login/", "/setup/x/", "/i18n/setlang/", "/invitations/x/", *HEALTH,
          "/engines/local/stacks/x/webhook/", "/oidc/authenticate/", "/oidc/callback/"}  # fmt: skip


def test_the_url_walk_sees_every_page() -> None:
    urls = every_url()
    assert {
        "/engines/local/",
        "/engines/x/containers/",
        "/engines/local/images/",
        "/engines/local/containers/",
        "/engines/local/containers/x/",
        "/engines/local/images/x/",
    } <= set(urls)


@pytest.mark.parametrize("url", [u for u in every_url() if u not in PUBLIC])
def test_anonymous_get_redirects_to_login(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_admin_site_asks_for_login(client: Client) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_login_through_the_form_then_logout(client: Client, member: User) -> None:
    wrong = client.post("/accounts/login/", {"username": "member", "password": "nope"})
    assert wrong.status_code == 200
    assert b"Please enter a correct username and password" in wrong.content

    response = client.post(
        "/accounts/login/?next=/images/",
        {"username": "member", "password": PASSWORD, "next": "/engines/local/images/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/engines/local/images/"

    assert client.get("/accounts/logout/").status_code == 405  # logout is a POST with CSRF
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/engines/local/").status_code == 302


def test_forms_require_csrf(member: User) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "member", "password": PASSWORD})
    assert response.status_code == 403
