"""The bundled lab (the seed chapter), end to end in Chromium, in Korean: a learner does every
step through Dockboard's pages; each step's check fails before the step and passes after it."""

import re
import time
from datetime import timedelta

import docker
import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from dashboard.models import Team
from labs import actions, runtime
from labs.library import install_bundled
from labs.models import Lab, LabSession
from tests.lab_pages import fails, passes
from tests.pages import log_in, wait_for_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_terminal(page: Page, detail_url: str) -> None:
    page.goto(detail_url + "terminal/")
    page.wait_for_selector('#terminal-page[data-connected="true"]')
    page.locator(".xterm").click()


def test_the_seed_chapter_lab_end_to_end_in_korean(
    korean_page: Page,
    lab_image: str,
    member: User,
    instructor: User,
    team: Team,
    engine: docker.DockerClient,
    start_worker,
    lab_objects_removed: None,
) -> None:
    page = korean_page
    start_worker()
    install_bundled()
    version = Lab.objects.get(slug="docker-engine").latest()
    actions.open_class(instructor, version, team, {"image": lab_image})

    page.goto("/labs/")
    page.get_by_role("button", name="실습 시작").click()
    expect(page.locator("#session-status")).to_have_attribute(
        "data-state", "running", timeout=20_000
    )
    session_url = page.url
    expect(page.locator("#step-1 h2")).to_contain_text("이미지 내려받기")
    name = "mycentos-member"

    fails(page, 1)  # 1. pull
    page.goto("/engines/local/images/pull/")
    page.locator("#id_reference").fill(lab_image)
    page.get_by_role("button", name="내려받기", exact=True).click()
    page.wait_for_url(re.compile(r"/engines/local/images/pulls/"))
    expect(page.locator("[data-job-state]")).to_have_text("성공", timeout=30_000)
    page.goto(session_url)
    passes(page, 1)

    fails(page, 2)  # 2. layers
    page.goto("/engines/local/images/")
    repository, tag = lab_image.rsplit(":", 1)
    page.locator("tr", has=page.get_by_role("cell", name=tag, exact=True)).get_by_role(
        "link", name=repository
    ).click()
    layers = re.search(r"\d+", page.locator("#layers-summary").inner_text()).group(0)
    page.goto(session_url)
    fails(page, 2, str(int(layers) + 1))
    passes(page, 2, layers)

    fails(page, 3)  # 3. create -i -t --name
    page.goto("/engines/local/containers/new/")
    page.locator("#id_image").fill(lab_image)
    page.locator("#id_name").fill(name)
    page.locator("#id_interactive").check()
    page.locator("#id_tty").check()
    page.locator("button[name=create]").click()
    page.wait_for_url(re.compile(r"/engines/local/containers/[0-9a-f]{64}/$"))
    page.goto(page.url + "?tab=inspect")
    full_id = re.search(r'"Id": "([0-9a-f]{64})"', page.locator("#tab").inner_text()).group(1)
    detail_url = page.url.split("?")[0]
    page.goto(session_url)
    fails(page, 3, full_id[:12])
    passes(page, 3, full_id)

    fails(page, 4)  # 4. start
    page.goto(detail_url)
    page.locator("button[name=action][value=start]").click()
    expect(page.locator("h1 .badge")).to_have_text("running")
    page.goto(session_url)
    passes(page, 4)

    fails(page, 5)  # 5. attach: the host name is the short id
    open_terminal(page, detail_url)
    page.keyboard.type("hostname\n")
    wait_for_row(page, full_id[:12])
    page.goto(session_url)  # leaving the page closes the terminal: no detach
    passes(page, 5, full_id[:12])

    fails(page, 6)  # 6. Ctrl+P, Ctrl+Q: it keeps running
    open_terminal(page, detail_url)
    page.keyboard.press("Control+p")
    page.keyboard.press("Control+q")
    expect(page.locator("#terminal-notice-text")).to_contain_text("실행 중")
    page.goto(session_url)
    passes(page, 6)

    fails(page, 7)  # 7. a file, then exit: the container stops
    open_terminal(page, detail_url)
    page.keyboard.type("echo hello > /hello.txt\n")
    page.keyboard.type("exit\n")
    expect(page.locator("#terminal-page")).to_have_attribute("data-ended", "exited")
    page.goto(session_url)
    passes(page, 7)

    fails(page, 8)  # 8. the container layer holds the change
    page.goto(detail_url + "?tab=changes")
    changes = page.locator("#changes li").count()
    assert changes >= 1
    page.goto(session_url)
    fails(page, 8, str(changes + 1))
    passes(page, 8, str(changes))
    assert engine.containers.get(name).labels["dockboard.lab.session"]


def test_a_session_page_runs_a_step_in_its_terminal_and_warns_before_the_end(
    page: Page, launched, member: User, engine: docker.DockerClient
) -> None:
    session = launched()
    LabSession.objects.filter(pk=session.pk).update(
        expires_at=timezone.now() + timedelta(minutes=4)
    )
    log_in(page)
    page.goto(f"/sessions/{session.pk}/")
    page.wait_for_selector('#terminal-page[data-connected="true"]')
    expect(page.locator("#time-warning")).to_be_visible()  # under five minutes left
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^[34]:\d\d$"))
    page.locator("#step-1 .run-in-terminal").click()  # types `touch /made` and Enter
    container = engine.containers.get(runtime.container_name(session, "shell"))
    deadline = time.monotonic() + 10
    while container.exec_run("test -e /made").exit_code != 0:
        assert time.monotonic() < deadline, "the step's code never ran in the terminal"
        time.sleep(0.2)
    page.locator("#step-1").get_by_role("button", name="Check").click()
    expect(page.locator("#step-1")).to_have_attribute("data-passed", "true")
