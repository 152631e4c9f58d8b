"""The bundled lab's command-line edition, end to end in Chromium, in Korean: the learner types
the chapter's `docker` commands in the workstation's terminal beside the steps (or presses a
step's "Run in terminal"), and each step's check fails before the step and passes after it."""

import time

import docker
import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from dashboard.models import Team
from labs import actions
from labs.library import install_bundled
from labs.models import Lab
from tests.lab_pages import fails, passes
from tests.pages import wait_for_row, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def run_step(page: Page, number: int) -> None:
    """Press the step's "Run in terminal": its code block is typed into the terminal."""
    page.locator(f"#step-{number}").get_by_role("button", name="터미널에서 실행").click()


def typed(page: Page, line: str) -> None:
    page.locator(".xterm").click()
    page.keyboard.type(line)
    page.keyboard.press("Enter")


def test_the_chapter_typed_in_the_workstation_in_korean(
    korean_page: Page,
    lab_image: str,
    member: User,
    instructor: User,
    team: Team,
    engine: docker.DockerClient,
    endpoint: str,
    start_worker,
    lab_objects_removed: None,
) -> None:
    page = korean_page
    start_worker()
    install_bundled()
    version = Lab.objects.get(slug="docker-engine-cli").latest()
    actions.open_class(instructor, version, team, {"image": lab_image})

    page.goto("/labs/")
    page.get_by_role("button", name="실습 시작").click()
    expect(page.locator("#session-status")).to_have_attribute(
        "data-state", "running", timeout=60_000
    )
    page.wait_for_selector('#terminal-page[data-connected="true"]')
    expect(page.locator("#step-1 h2")).to_contain_text("이미지 내려받기")
    name = "mycentos-member"

    fails(page, 1)  # 1. docker pull
    run_step(page, 1)
    wait_for_text(page, "Downloaded newer image", 30_000)
    passes(page, 1)

    layers = str(len(engine.images.get(lab_image).attrs["RootFS"]["Layers"]))
    fails(page, 2, layers)  # 2. docker images: not typed yet
    typed(page, "docker images")
    wait_for_text(page, lab_image.rsplit(":", 1)[0])
    fails(page, 2, str(int(layers) + 1))
    passes(page, 2, layers)

    fails(page, 3, "0" * 64)  # 3. docker create -i -t --name
    run_step(page, 3)
    page.wait_for_function(
        """() => {
          const buffer = window.dockboardTerminal.buffer.active;
          for (let i = 0; i < buffer.length; i++) {
            const line = buffer.getLine(i).translateToString(true).trim();
            if (/^[0-9a-f]{64}$/.test(line)) return true;
          }
          return false;
        }"""
    )
    full_id = engine.containers.get(name).id
    wait_for_row(page, full_id)  # what the learner reads is the whole id
    fails(page, 3, full_id[:12])
    passes(page, 3, full_id)

    fails(page, 4)  # 4. docker start
    run_step(page, 4)
    wait_for_row(page, name)
    passes(page, 4)

    fails(page, 5, full_id[:12])  # 5. docker attach, then hostname: the short id
    run_step(page, 5)
    wait_for_row(page, full_id[:12])
    passes(page, 5, full_id[:12])

    fails(page, 6)  # 6. Ctrl+P, Ctrl+Q leaves it running; docker ps shows it
    page.locator(".xterm").click()
    page.keyboard.press("Control+p")
    page.keyboard.press("Control+q")
    wait_for_text(page, "read escape sequence")
    typed(page, "docker ps")
    wait_for_text(page, " Up ")
    assert engine.containers.get(name).status == "running"
    passes(page, 6)

    fails(page, 7)  # 7. attach again, make a file, exit: the container stops
    run_step(page, 7)
    wait_for_text(page, "exit")
    deadline = time.monotonic() + 10
    while engine.containers.get(name).status != "exited":
        assert time.monotonic() < deadline, "exit did not stop the container"
        time.sleep(0.1)
    passes(page, 7)

    changes = len(engine.containers.get(name).diff())
    fails(page, 8, str(changes))  # 8. docker diff
    run_step(page, 8)
    wait_for_row(page, "A /hello.txt")
    fails(page, 8, str(changes + 1))
    passes(page, 8, str(changes))

    # The pages edition's stumble: steps 4 to 6 saw the container running; it has stopped
    # since, and they stay passed.
    page.reload()
    for number in (4, 5, 6):
        expect(page.locator(f"#step-{number}")).to_have_attribute("data-passed", "true")
