"""In real headless Chromium: log in through the form and see the engine's overview."""

import docker
import pytest
from django.contrib.auth.models import User

from tests.harness.accounts import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_form_leads_to_the_overview(page, member: User, engine: docker.DockerClient) -> None:
    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/engines/local/")  # / is local's overview
    page.get_by_label("Username").fill("member")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "Overview"
    assert page.locator('[data-fact="version"]').inner_text() == engine.version()["Version"]

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")


def test_language_switcher_in_the_browser(page, member: User) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Language").select_option("ko")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Dockboard에 로그인"
