"""A learner's open session page, in Chromium and in Korean, is told at once what an instructor
did: an extension, a reset, the class's end; and once the class has ended it offers no terminal
to start for containers that are gone."""

import re
from datetime import timedelta

import docker
import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from labs import actions, runtime
from labs.launch import launch as launch_on_worker
from labs.models import LabSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Well under the page's 5-s status poll: the change is pushed, not found by polling.
AT_ONCE_MS = 3_000


def test_the_learner_is_told_of_an_extension_a_reset_and_the_class_ending(
    korean_page: Page, launched, instructor: User, engine: docker.DockerClient
) -> None:
    page = korean_page
    session = launched()
    LabSession.objects.filter(pk=session.pk).update(
        expires_at=timezone.now() + timedelta(minutes=10)
    )
    page.goto(f"/sessions/{session.pk}/")
    page.wait_for_selector('#terminal-page[data-connected="true"]')
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^(10:00|9:\d\d)$"))
    page.wait_for_timeout(1_500)  # the page's socket is open and has read the session once

    actions.extend(instructor, LabSession.objects.get(pk=session.pk))
    notice = page.locator("#session-notice")
    expect(notice).to_contain_text("강사가 이 세션의 시간을 연장했습니다", timeout=AT_ONCE_MS)
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^1[45]:\d\d$"))

    actions.reset(instructor, LabSession.objects.get(pk=session.pk))
    expect(notice).to_contain_text("강사가 이 세션을 초기화했습니다", timeout=AT_ONCE_MS)
    launch_on_worker(session.pk, again=True)  # the worker makes it again
    expect(page.locator("#session-status")).to_have_attribute("data-state", "running")
    page.wait_for_selector('#terminal-page[data-connected="true"]')
    page.wait_for_timeout(1_500)

    actions.end_class(instructor, LabSession.objects.get(pk=session.pk).lab_class)
    expect(notice).to_contain_text("수업이 끝났습니다", timeout=AT_ONCE_MS)
    expect(page.locator("#session-status")).to_have_attribute("data-state", "ended")
    expect(page.locator("#session-over")).to_be_visible()
    expect(page.locator("#terminal-page")).to_have_count(0)
    expect(page.get_by_role("button", name="시작하고 연결")).to_have_count(0)
    assert not engine.containers.list(
        all=True, filters={"name": runtime.container_name(session, "shell")}
    )


def test_what_the_learner_does_themselves_leaves_no_notice(
    korean_page: Page, launched, member: User
) -> None:
    session = launched()
    actions.extend(member, LabSession.objects.get(pk=session.pk))
    korean_page.goto(f"/sessions/{session.pk}/")
    expect(korean_page.locator("#session-status")).to_be_visible()
    expect(korean_page.locator("#session-notice")).to_have_count(0)
