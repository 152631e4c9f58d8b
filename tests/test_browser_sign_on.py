"""In real headless Chromium, through a real OpenID provider's pages (node-oidc-provider):
signing in makes the person with their team role; once their group is gone, the next sign-in
is refused in the page, and the page they had open is signed out."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from dashboard.models import Membership, Team
from signon import discovery
from signon.models import GroupMapping
from tests.harness.oidc import Provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
KIM = {"preferred_username": "kim", "email": "kim@example.test", "groups": ["class-a"]}


@pytest.fixture
def provider(tmp_path: Path, live_url: str) -> Iterator[Provider]:
    with Provider(tmp_path, [f"{live_url}/oidc/callback/"]) as running:
        running.set_accounts({"kim-subject": KIM})
        with override_settings(**running.settings()):
            yield running
    discovery.forget()


def through_the_provider(page) -> None:
    page.goto("/accounts/login/?next=/engines/local/containers/")
    page.get_by_role("link", name="Sign in with Test Directory").click()
    page.locator('input[name="login"]').fill("kim-subject")
    page.locator('input[name="password"]').fill("any")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_a_person_signs_in_through_the_provider_and_is_shut_out_when_their_group_goes(
    page, provider: Provider, team: Team, live_url: str
) -> None:
    GroupMapping.objects.create(group="class-a", team=team, role=Membership.Role.MEMBER)
    through_the_provider(page)
    page.wait_for_url("**/engines/local/containers/")
    assert page.locator("h1").inner_text() == "Containers"
    kim = User.objects.get(username="kim")
    assert list(kim.memberships.values_list("team_id", "role")) == [(team.pk, "member")]

    provider.set_accounts({"kim-subject": {**KIM, "groups": []}})
    second = page.context.browser.new_context(
        locale="en-US", base_url=page.url.split("/engines")[0]
    )
    other_page = second.new_page()
    through_the_provider(other_page)
    other_page.wait_for_url("**/oidc/callback/**")
    alert = other_page.locator("#sign-on-error").inner_text()
    assert "Your groups at Test Directory give you no place in Dockboard" in alert
    second.close()

    page.reload()
    page.wait_for_url("**/accounts/login/**")
