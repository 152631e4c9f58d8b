"""A learner's lab session in Chromium, in Korean: the page, the lab's image in the loopback
registry, and each step's check as the learner presses it."""

import contextlib
import re
from collections.abc import Iterator

import docker
import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from tests.harness.browser import headless_chromium
from tests.harness.images import push
from tests.harness.run import RUN_ID
from tests.pages import log_in


@pytest.fixture
def korean_page(live_url: str, monkeypatch: pytest.MonkeyPatch, member: User) -> Iterator[Page]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with headless_chromium() as browser:
        context = browser.new_context(locale="en-US", base_url=live_url)
        page = context.new_page()
        log_in(page)
        context.add_cookies([{"name": "django_language", "value": "ko", "url": live_url}])
        yield page
        context.close()


@pytest.fixture
def lab_image(engine: docker.DockerClient, busybox: str, registry: str) -> Iterator[str]:
    """The lab's image: in the loopback registry, not on the engine (the learner pulls it)."""
    reference = f"{registry}/dockboard-test/centos-{RUN_ID}:7"
    engine.images.get(busybox).tag(reference)
    push(engine, reference)
    engine.images.remove(reference)
    yield reference
    with contextlib.suppress(docker.errors.ImageNotFound):  # a test that never pulled it
        engine.images.remove(reference, force=True)


def check(page: Page, number: int, answer: str = "") -> str:
    step = page.locator(f"#step-{number}")
    if answer:
        step.locator("input[name=answer]").fill(answer)
    with page.expect_response(lambda response: "/check/" in response.url, timeout=5_000):
        step.get_by_role("button", name="확인").click()
    result = page.locator(f"#step-{number} .check-result")
    expect(result).to_be_visible()
    return result.inner_text()


def passes(page: Page, number: int, answer: str = "") -> None:
    text = check(page, number, answer)
    assert text.startswith("통과"), text
    expect(page.locator(f"#step-{number}")).to_have_attribute("data-passed", "true")


def fails(page: Page, number: int, answer: str = "") -> None:
    text = check(page, number, answer)
    # Not yet, and why, in Korean: no check script's FAIL mark, no engine word.
    lines = text.splitlines()
    assert lines[0] == "아직 아님" and len(lines) > 1 and "FAIL" not in text, text
    # An engine word as a Korean noun ("running 상태", "detach 이벤트"), not a command's.
    assert not re.search(r"(created|running|exited|attach|detach) (상태|이벤트)", text), text
