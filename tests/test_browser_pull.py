"""In real headless Chromium: a pull's bars move live while the worker pulls, pushed over the
page's websocket to every tab that shows it, and a `docker run` of a missing image goes on by
itself once the image is here."""

import re
import time

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.harness.run import TEST_LABEL
from tests.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ACTIVE = {"queued", "running"}


def start_pull(page: Page, reference: str) -> None:
    log_in(page)
    page.goto("/engines/local/images/pull/")
    page.get_by_label("Image").fill(reference)
    page.get_by_role("button", name="Pull").click()
    page.wait_for_url("**/images/pulls/*/")


def progress_seen(pages: list[Page]) -> list[set[int]]:
    """Each page's overall progress values, sampled until every page shows the pull ended."""
    seen: list[set[int]] = [set() for _ in pages]
    deadline = time.monotonic() + 60
    while any(p.locator("#pull-progress").get_attribute("data-state") in ACTIVE for p in pages):
        for values, p in zip(seen, pages, strict=True):
            values.add(int(p.locator("#pull-overall").get_attribute("value")))
        assert time.monotonic() < deadline
        pages[0].wait_for_timeout(100)
    return [{v for v in values if 0 < v < 100} for values in seen]


def test_progress_bars_move_during_a_pull(
    page, member: User, start_worker, layered_image: str, slow_registry: str, engine, not_local
) -> None:
    reference = not_local(layered_image.replace(layered_image.split("/")[0], slow_registry))
    start_worker()
    start_pull(page, reference)

    [moving] = progress_seen([page])
    assert len(moving) >= 2, moving  # it moved, in more than one step
    expect(page.locator("[data-job-state]")).to_have_text("succeeded")
    page.locator("[data-image-link]").click()
    expect(page.locator('[data-fact="id"]')).to_have_text(engine.images.get(reference).id)


def test_three_tabs_follow_one_pull_over_their_sockets_without_polling(
    page, member: User, start_worker, layered_image: str, slow_registry: str, not_local
) -> None:
    reference = not_local(layered_image.replace(layered_image.split("/")[0], slow_registry))
    start_pull(page, reference)  # no worker yet: the job waits, queued, while the tabs open
    tabs = [page, page.context.new_page(), page.context.new_page()]
    polls: list[str] = []
    for tab in tabs[1:]:
        tab.goto(page.url)
    for tab in tabs:
        expect(tab.locator("#live-pull")).to_have_attribute("data-connected", "true")
        tab.on("request", lambda request: polls.append(request.url))
    start_worker()

    for moving in progress_seen(tabs):
        assert len(moving) >= 2, moving
    for tab in tabs:
        expect(tab.locator("[data-job-state]")).to_have_text("succeeded")
        expect(tab.locator("[data-image-link]")).to_be_visible()
    assert polls == []  # every change came over the tabs' websockets


def test_run_of_a_missing_image_goes_on_to_the_terminal_once_pulled(
    page, member: User, start_worker, layered_image: str, slow_registry: str, engine, not_local
) -> None:
    reference = not_local(layered_image.replace(layered_image.split("/")[0], slow_registry))
    start_worker()
    log_in(page)
    page.goto("/engines/local/containers/new/")
    page.locator("#id_image").fill(reference)
    page.locator("#id_interactive").check()
    page.locator("#id_tty").check()
    page.locator("#id_labels").fill(TEST_LABEL)
    page.locator("button[name=run]").click()
    page.wait_for_url("**/images/pulls/*/")
    expect(page.locator("[data-follow-up]")).to_contain_text("docker run")

    page.wait_for_url(
        re.compile(r"/engines/local/containers/[0-9a-f]{64}/terminal/$"), timeout=60_000
    )
    container = engine.containers.get(page.url.rstrip("/").split("/")[-2])
    assert container.image.id == engine.images.get(reference).id
    container.remove(force=True)
