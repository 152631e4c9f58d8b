"""In real headless Chromium: an administrator makes a team and invites someone, who joins through
the link, runs a container within the team's policy, and is refused what the policy forbids."""

import docker
import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from dashboard.models import Membership, Team
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "a long passphrase for 2026"


def test_invite_join_and_run_within_the_policy(
    page, live_url: str, admin: User, busybox: str, registry: str, engine: docker.DockerClient
) -> None:
    log_in(page, "admin")
    page.goto("/teams/")
    page.get_by_label("Name").fill(f"browser-{RUN_ID}")
    page.get_by_role("button", name="Create team").click()
    expect(page.locator("h1")).to_have_text(f"Team browser-{RUN_ID}")
    team = Team.objects.get(name=f"browser-{RUN_ID}")
    team.allowed_images = f"{registry}/dockboard-test/**"
    team.save()

    page.get_by_label("Role:").select_option("member")
    page.get_by_role("button", name="Make one-time links").click()
    link = page.locator("#invitation-link").input_value()
    assert "/invitations/" in link

    invitee = page.context.browser.new_context(locale="en-US", base_url=live_url)
    joining = invitee.new_page()
    joining.goto(link)
    joining.get_by_label("Username").fill("learner")
    joining.get_by_label("Password:", exact=True).fill(NEW_PASSWORD)
    joining.get_by_label("Password confirmation").fill(NEW_PASSWORD)
    joining.get_by_role("button", name="Create my account").click()
    joining.wait_for_url("**/")
    expect(joining.locator("#messages")).to_contain_text(f"Welcome to browser-{RUN_ID}.")
    learner = User.objects.get(username="learner")
    assert Membership.objects.get(user=learner, team=team).role == "member"
    expect(joining.get_by_role("link", name="Users")).to_have_count(0)

    joining.goto("/engines/local/containers/new/")
    joining.get_by_label("Image:").fill(busybox)
    joining.get_by_label("Name (--name):").fill(f"learners-{RUN_ID}")
    joining.get_by_label("Network (--network):").fill("host")
    joining.get_by_label("Labels (--label), one KEY=VALUE a line:").fill(f"{LABEL_KEY}={RUN_ID}")
    joining.get_by_role("button", name="Create", exact=True).click()
    expect(joining.locator("#id_network_error")).to_contain_text("is not allowed in team")
    assert not engine.containers.list(all=True, filters={"name": f"learners-{RUN_ID}"})

    joining.get_by_label("Network (--network):").fill("")
    joining.get_by_role("button", name="Create", exact=True).click()
    joining.wait_for_url("**/containers/*/")
    container = engine.containers.get(f"learners-{RUN_ID}")
    assert container.labels["dockboard.owner"] == str(learner.pk)
    assert container.attrs["HostConfig"]["CapDrop"] == ["ALL"]
    invitee.close()


def test_an_instructor_invites_a_class_and_copies_every_link_at_once(
    page, instructor: User, team: Team
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "teacher")
    page.goto(f"/teams/{team.pk}/")
    names = ["kim@example.org", "Lee Min-ji", "박서준"]
    page.get_by_label("Who they are for (one name or e-mail a line)").fill("\n".join(names))
    page.get_by_role("button", name="Make one-time links").click()
    expect(page.locator("h1")).to_have_text("3 invitations")
    page.get_by_role("button", name="Copy all").click()
    expect(page.locator(".copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    lines = [line.split("\t") for line in copied.strip().split("\n")]
    assert [who for who, _link in lines] == names
    assert all("/invitations/" in link for _who, link in lines)
    assert copied == page.locator("#invitation-links").input_value()
    page.goto(f"/teams/{team.pk}/")
    expect(page.locator("#invitations tbody tr")).to_have_count(3)
