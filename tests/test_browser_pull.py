"""In real headless Chromium: a pull's bars move live while the worker pulls."""

import time

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_progress_bars_move_during_a_pull(
    page, member: User, start_worker, layered_image: str, slow_registry: str, engine, not_local
) -> None:
    reference = not_local(layered_image.replace(layered_image.split("/")[0], slow_registry))
    start_worker()
    log_in(page)
    page.goto("/images/pull/")
    page.get_by_label("Image").fill(reference)
    page.get_by_role("button", name="Pull").click()
    page.wait_for_url("**/images/pulls/*/")

    seen = set()
    deadline = time.monotonic() + 60
    while page.locator("#pull-progress").get_attribute("data-state") in {"queued", "running"}:
        seen.add(int(page.locator("#pull-overall").get_attribute("value")))
        assert time.monotonic() < deadline
        page.wait_for_timeout(100)
    assert len({v for v in seen if 0 < v < 100}) >= 2, seen  # it moved, in more than one step
    expect(page.locator("[data-job-state]")).to_have_text("succeeded")
    page.locator("[data-image-link]").click()
    expect(page.locator('[data-fact="id"]')).to_have_text(engine.images.get(reference).id)
