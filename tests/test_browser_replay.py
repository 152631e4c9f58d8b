"""Replay in Chromium: asciinema-player (from npm) plays a recording under the page's CSP,
jumps to a marker and changes speed."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from dashboard.models import Team, TerminalRecording
from dashboard.terminal import recording
from tests.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def recorded(settings, tmp_path: Path, member: User, team: Team) -> TerminalRecording:
    settings.DATA_DIR = tmp_path
    row = TerminalRecording.objects.create(
        user=member, team=team, container_id="f" * 64, container_name="replayed",
        owner_id=member.pk, mode="attach", path="recordings/replayed.cast",
    )  # fmt: skip
    header = {"version": 2, "width": 80, "height": 24, "timestamp": 0, "title": "replayed",
              "env": {"TERM": "xterm-256color"}}  # fmt: skip
    recorder = recording.Recorder(tmp_path / row.path, header, record_input=False)
    recorder.output("/ # echo 안녕\r\n안녕\r\n".encode())
    recorder.marker("step 1: Make a file (passed)")
    recorder.output(b"/ # ")
    recorder.close()
    recorder.wait(5)
    TerminalRecording.objects.filter(pk=row.pk).update(size=recorder.size)
    return row


def test_the_player_plays_a_recording_and_jumps_to_a_marker(
    page: Page, member: User, recorded: TerminalRecording
) -> None:
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    log_in(page)
    page.goto(f"/recordings/{recorded.pk}/")
    expect(page.locator("#replay .ap-player")).to_be_visible()
    expect(page.locator("#markers")).to_contain_text("step 1: Make a file (passed)")
    page.locator("#markers [data-seek]").first.click()
    page.wait_for_function("() => window.dockboardPlayer.getCurrentTime() > 0")
    expect(page.locator("#replay")).to_contain_text("안녕")
    page.locator("#replay-speed").select_option("2")
    expect(page.locator("#replay .ap-player")).to_be_visible()
    assert not errors, errors
