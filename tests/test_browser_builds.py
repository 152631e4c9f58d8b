"""A build in real headless Chromium: the Dockerfile typed in the page, the builder's output
appearing while it runs, and the built image linked once it is done."""

import docker
import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from dashboard.models import Team
from tests.harness.run import RUN_ID
from tests.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_types_a_dockerfile_and_follows_the_build(
    page, member: User, team: Team, busybox: str, registry: str, start_worker,
    engine: docker.DockerClient,
) -> None:  # fmt: skip
    start_worker()
    tag = f"{registry}/dockboard-test/typed:{RUN_ID}"
    log_in(page)
    page.goto("/engines/local/images/")
    page.get_by_role("link", name="Build an image").click()
    page.get_by_label("Tag (-t)").fill(tag)
    page.locator("#id_dockerfile").fill(f"FROM {busybox}\nRUN echo typed-in-the-page && sleep 2\n")
    page.get_by_role("button", name="Build", exact=True).click()
    expect(page.locator("#build-log")).to_contain_text("typed-in-the-page", timeout=20_000)
    expect(page.locator("[data-job-state]")).to_have_text("succeeded", timeout=30_000)
    page.locator("[data-image-link]").click()
    expect(page.locator("h1")).to_contain_text("Image")
    engine.images.remove(tag, force=True)
