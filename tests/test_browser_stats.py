"""A busy container's charts, drawn in real Chromium: the cursor reads a value, in Korean too.
The stats page follows each collector pass over its websocket."""

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from stats.collector import Collector
from tests.pages import log_in
from tests.test_stats import BUSY, collected

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_busy_containers_charts_are_drawn_and_read_at_the_cursor(
    page, live_url: str, member: User, make_container: Callable
) -> None:
    busy = make_container(BUSY, name="charted")
    # The collector runs where no event loop does (its own process): not in Playwright's.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(collected, Collector(), 5).result()
    log_in(page, "member")
    page.context.add_cookies([{"name": "django_language", "value": "ko", "url": live_url}])
    page.goto(f"/engines/local/stats/containers/{busy.id[:12]}/?window=15m")

    assert page.locator("figure.chart canvas").count() == 5  # CPU, memory, network, disk, PIDs
    cpu = page.locator("figure.chart").first
    box = cpu.locator(".u-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] - 3, box["y"] + box["height"] / 2)
    reading = cpu.locator(".u-legend .u-series").nth(1).locator(".u-value").inner_text()
    assert reading.endswith("%") and float(reading.rstrip("%")) > 50
    assert page.locator("html").get_attribute("lang") == "ko"


def test_the_stats_page_shows_each_pass_as_it_comes(
    page, live_url: str, member: User, make_container: Callable
) -> None:
    busy = make_container(BUSY, name="followed")
    log_in(page, "member")
    page.goto("/engines/local/stats/")
    expect(page.locator("#live-stats")).to_have_attribute("data-connected", "true")
    page.evaluate("window.stayed = true")  # gone if the page were loaded again
    cpu = page.locator(f"#stats-{busy.id[:12]} [data-stat=cpu]")
    expect(cpu).to_have_count(0)  # not read yet
    with ThreadPoolExecutor(1) as thread:
        thread.submit(collected, Collector(), 2).result()
    expect(cpu).to_have_text(re.compile(r"^[0-9]+[.][0-9]%$"))
    assert float(cpu.inner_text().rstrip("%")) > 50
    assert page.evaluate("window.stayed") is True
