"""The terminal in real headless Chromium: xterm.js, the websocket, a real busybox shell."""

import asyncio
import time

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from containers import interrupt
from containers.flow import HIGH_WATERMARK
from containers.terminal import GATHER_LIMIT, TerminalConsumer
from dashboard.models import TerminalPreference
from tests.harness.browser import headless_chromium
from tests.pages import log_in, wait_for_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shell(make_container):
    return make_container()


def notice(page):
    return page.locator("#terminal-notice-text")


def open_terminal(page, container, query: str = "") -> None:
    page.goto(f"/engines/local/containers/{container.id}/terminal/{query}")
    page.wait_for_selector('#terminal-page[data-connected="true"]')
    page.locator(".xterm").click()


def test_type_hostname_and_see_the_short_id(page, member: User, shell) -> None:
    log_in(page)
    open_terminal(page, shell)
    page.keyboard.type("hostname\n")
    wait_for_row(page, shell.id[:12])


def test_korean_typed_in_the_browser_echoes_intact(page, member: User, shell) -> None:
    log_in(page)
    open_terminal(page, shell)
    page.keyboard.type("echo 안녕하세요 > /k.txt; cat /k.txt\n")
    wait_for_row(page, "안녕하세요")
    assert shell.exec_run("cat /k.txt").output.decode() == "안녕하세요\n"


def test_tab_and_escape_stay_in_the_terminal_and_f6_leaves_it(page, member: User, shell) -> None:
    log_in(page)
    open_terminal(page, shell)
    in_terminal = "() => !!document.activeElement?.closest('.xterm')"
    page.keyboard.type("echo ta")
    page.keyboard.press("Tab")  # the shell's completion, not the browser's focus
    page.keyboard.press("Escape")
    assert page.evaluate(in_terminal)
    hint = page.locator("#terminal-leave-hint")
    expect(hint).to_have_text("Leave the terminal: F6 (Shift+F6 back)")
    assert page.locator(".xterm textarea").get_attribute("aria-describedby") == hint.get_attribute(
        "id"
    )
    page.keyboard.press("F6")
    assert not page.evaluate(in_terminal)
    page.locator(".xterm").click()
    page.keyboard.press("Shift+F6")
    assert not page.evaluate(in_terminal)
    assert page.evaluate("!!document.activeElement.closest('.terminal-bar')")  # the one before


CURSOR_SHOWN = """() => {
  const cursor = document.querySelector(".xterm-rows .xterm-cursor");
  return getComputedStyle(cursor).backgroundColor !== "rgba(0, 0, 0, 0)";
}"""


def test_the_cursor_blinks_with_no_animation_running(page, member: User, shell) -> None:
    """A running CSS animation (xterm.js's DOM renderer blinks the cursor with one) makes the
    browser render every frame, and each echo waited for the frame in progress."""
    log_in(page)
    open_terminal(page, shell, "?renderer=dom")
    seen = set()
    for _ in range(16):  # 1.6 s: the cursor is shown, then hidden, every 600 ms
        seen.add(page.evaluate(CURSOR_SHOWN))
        assert page.evaluate("document.getAnimations().length") == 0
        page.wait_for_timeout(100)
    assert seen == {True, False}
    page.keyboard.type("x")  # a key shows the cursor at once, as the blink restarts
    assert page.evaluate(CURSOR_SHOWN)


def test_detach_then_reattach(page, member: User, shell) -> None:
    log_in(page)
    open_terminal(page, shell)
    page.keyboard.press("Control+p")
    page.keyboard.press("Control+q")
    expect(notice(page)).to_have_text("Detached — the container is still running.")
    shell.reload()
    assert shell.status == "running"

    page.get_by_role("button", name="Re-attach").click()
    page.wait_for_selector('#terminal-page[data-connected="true"]')
    page.locator(".xterm").click()
    page.keyboard.type("echo again-$((40+2))\n")
    wait_for_row(page, "again-42")


def test_replayed_output_never_answers_into_the_container(
    page, member: User, make_container
) -> None:
    """A colour query (OSC 4) and a device-attributes query printed before the page opened are
    drawn again on connect; xterm.js's answers to them must not reach the container's stdin."""
    shell = make_container(
        ["sh", "-c", "stty -icanon -echo; printf 'asked\\033]4;1;?\\007\\033[c\\n'; cat > /got"]
    )
    time.sleep(0.5)
    log_in(page)
    open_terminal(page, shell)
    wait_for_row(page, "asked")
    page.wait_for_timeout(500)
    page.keyboard.type("typed")
    deadline = time.monotonic() + 10
    while shell.exec_run("cat /got").output != b"typed" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert shell.exec_run("cat /got").output == b"typed"

    page.keyboard.press("Control+p")
    page.keyboard.press("Control+q")
    page.get_by_role("button", name="Re-attach").click()
    page.wait_for_selector('#terminal-page[data-connected="true"]')
    wait_for_row(page, "asked")
    rows = page.evaluate(
        """() => {
      const buffer = window.dockboardTerminal.buffer.active;
      const rows = [];
      for (let i = 0; i < buffer.length; i++) rows.push(buffer.getLine(i).translateToString(true));
      return rows;
    }"""
    )
    assert sum("asked" in row for row in rows) == 1  # drawn once after a re-attach
    page.wait_for_timeout(500)
    assert shell.exec_run("cat /got").output == b"typed"


def test_exit_then_start_and_attach(page, member: User, shell) -> None:
    log_in(page)
    open_terminal(page, shell)
    page.keyboard.type("exit 7\n")
    expect(notice(page)).to_have_text("The container exited with code 7.")
    shell.reload()
    assert shell.status == "exited"

    page.get_by_role("button", name="Start & attach").click()
    page.wait_for_selector('#terminal-page[data-connected="true"]')
    page.locator(".xterm").click()
    page.keyboard.type("echo started-$((6*7))\n")
    wait_for_row(page, "started-42")
    shell.reload()
    assert shell.status == "running"


def test_open_a_shell_with_exec(page, member: User, shell) -> None:
    log_in(page)
    open_terminal(page, shell)
    page.get_by_role("button", name="Open a shell").click()
    page.wait_for_selector('#terminal-page[data-connected="true"]')
    page.locator(".xterm").click()
    page.keyboard.type("echo via-$0\n")
    wait_for_row(page, "via-/bin/sh")
    page.keyboard.type("exit\n")
    expect(notice(page)).to_have_text(
        "The shell ended with code 0; the container is still running."
    )


def test_logging_out_closes_the_terminal(page, member: User, shell) -> None:
    log_in(page)
    open_terminal(page, shell)
    other = page.context.new_page()
    other.goto("/")
    other.get_by_role("button", name="Log out").click()
    other.wait_for_url("**/accounts/login/")
    expect(notice(page)).to_have_text("You logged out; the terminal was closed.")


def test_a_stopped_container_offers_start_and_attach(page, member: User, make_container) -> None:
    created = make_container(start=False)
    log_in(page)
    page.goto(f"/engines/local/containers/{created.id}/terminal/")
    expect(notice(page)).to_have_text("The container is not running.")
    page.get_by_role("button", name="Start & attach").click()
    page.wait_for_selector('#terminal-page[data-connected="true"]')
    wait_for_row(page, "/ #")


CURSOR_LINE = """() => {
  const buffer = window.dockboardTerminal.buffer.active;
  return buffer.getLine(buffer.baseY + buffer.cursorY).translateToString(true);
}"""


# Counts what xterm.js parsed; with window.parseDelay set, each write's callback (and so the
# next frame and the acknowledgement) waits that many ms, as on a slow machine.
COUNT_PARSED = """() => {
  const term = window.dockboardTerminal;
  const write = term.write.bind(term);
  window.parsedBytes = 0;
  window.parseDelay = 0;
  term.write = (data, done) => write(data, () => {
    const finish = () => { window.parsedBytes += data.length; done?.(); };
    if (window.parseDelay) setTimeout(finish, window.parseDelay); else finish();
  });
}"""


def parsed_after_ctrl_c(page, delay: int) -> int:
    """`yes` for a while, then Ctrl+C: the bytes parsed after it, up to the prompt."""
    page.evaluate(COUNT_PARSED)
    page.keyboard.type("yes\n")
    page.wait_for_function("() => window.parsedBytes > 64 * 1024", timeout=30_000)  # `yes` runs
    # Output is gathered into large frames once no key was typed for 0.5 s; then slow down.
    page.wait_for_timeout(1000)
    page.evaluate(f"() => {{ window.parseDelay = {delay}; }}")
    page.wait_for_timeout(1000)  # and the flow window fills
    page.evaluate(
        """() => document.addEventListener("keydown", () => {
          window.parsedBeforeKey = window.parsedBytes;
        }, { capture: true, once: true })"""
    )
    page.keyboard.press("Control+c")
    page.wait_for_function(f"() => ({CURSOR_LINE})() === '/ # '", timeout=30_000)
    return page.evaluate("() => window.parsedBytes - window.parsedBeforeKey")


def test_ctrl_c_during_yes_gives_the_prompt_back(page, member: User, shell) -> None:
    """After Ctrl+C the page draws what xterm.js was parsing and the last lines (a skip, see
    containers/interrupt.py), not the flow window (1 MB) nor what the engine held (about as
    much again). How long that takes is measured in bench/terminal_browser.py, not here."""
    log_in(page)
    open_terminal(page, shell)
    after = parsed_after_ctrl_c(page, delay=0)
    assert after <= HIGH_WATERMARK // 2, after
    page.keyboard.type("echo back-$((40+2))\n")
    wait_for_row(page, "back-42")


def test_ctrl_c_drops_what_a_page_far_behind_had_queued(page, member: User, shell) -> None:
    """Each frame takes 50 ms here: most of the flow window's megabyte waits in the page's own
    queue, and Ctrl+C drops it instead of drawing it first."""
    log_in(page)
    open_terminal(page, shell)
    after = parsed_after_ctrl_c(page, delay=50)
    assert after <= HIGH_WATERMARK // 4, after


def test_after_ctrl_c_the_page_parses_nothing_new_until_the_server_answers(
    page, member: User, shell, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer follows what is in flight, which a busy page took in one parse at a time
    before it (at worst 800 KiB and 100 ms). Made 0.4 s late here: the page finishes the frame
    it was parsing and parses nothing else until the answer drops the rest; then the prompt."""
    send_event = TerminalConsumer.send_event
    answers = []

    async def answer_late(consumer, event: dict) -> None:
        if event["type"] == "interrupt":
            answers.append(event["skip"])
            await asyncio.sleep(0.4)
        await send_event(consumer, event)

    monkeypatch.setattr(TerminalConsumer, "send_event", answer_late)
    # `yes` is a flood at whatever pace a loaded machine gives it: what is tested here is the
    # page's hold, not where a flood begins (a full run on two cores once answered no skip).
    monkeypatch.setattr(interrupt, "FLOOD_BYTES", 64 * 1024)
    # The skip waits for the late echo, through the engine's pauses too (its json-file logging
    # stalls a flood for 0.1-0.3 s now and then; 0.2 s of quiet would end the skip).
    monkeypatch.setattr(interrupt, "LIMIT_SECONDS", 5.0)
    monkeypatch.setattr(interrupt, "QUIET_SECONDS", 5.0)
    log_in(page)
    open_terminal(page, shell)
    after = parsed_after_ctrl_c(page, delay=10)
    assert after <= 2 * GATHER_LIMIT + 2 * interrupt.TAIL + 1024, (after, "skips:", answers)


# Installed before the page's scripts pace the window's frames: every frame the page makes.
COUNT_FRAMES = """(() => {
  const request = window.requestAnimationFrame.bind(window);
  window.frameTimes = [];
  const count = (time) => { window.frameTimes.push(time); request(count); };
  request(count);
})()"""
# The frames xterm.js drew; how many frames had begun at each key pressed and at each parse.
COUNT_DRAWS = """() => {
  const term = window.dockboardTerminal;
  window.drawTimes = [];
  window.keyFrames = [];
  window.parseFrames = [];
  term.onRender(() => window.drawTimes.push(document.timeline.currentTime));
  term.onWriteParsed(() => window.parseFrames.push(window.frameTimes.length));
  document.addEventListener("keydown", () => window.keyFrames.push(window.frameTimes.length), true);
}"""


def frames_held_after(page, moments: str) -> tuple[int, list[int]]:
    """The frames that came first after each of ``moments`` (keys or parses) with output parsed
    since the frame before: (how many, those in which xterm.js did not draw)."""
    after, parsed, frames, drawn = page.evaluate(
        f"() => [window.{moments}, window.parseFrames, window.frameTimes, window.drawTimes]"
    )
    due = [n for n in set(after) & set(parsed) if n < len(frames)]
    return len(due), [n for n in due if frames[n] not in set(drawn)]


def flooded_terminal(page, shell) -> None:
    """A flood the page cannot keep up with (each frame takes 10 ms more to parse, as on a slow
    machine): there is always output waiting to be parsed."""
    page.add_init_script(COUNT_FRAMES)
    log_in(page)
    open_terminal(page, shell)
    page.evaluate(COUNT_PARSED)
    page.keyboard.type("cat /dev/zero | tr '\\0' a\n")
    page.wait_for_function("() => window.parsedBytes > 1024 * 1024", timeout=30_000)
    page.evaluate("() => { window.parseDelay = 10; }")
    page.evaluate(COUNT_DRAWS)


def test_a_flood_is_drawn_every_other_frame(page, member: User, shell) -> None:
    """While output waits to be parsed, xterm.js draws at most every other frame of the page's
    (about 30 a second) and parses in between; once it is parsed, every frame draws again."""
    flooded_terminal(page, shell)
    page.wait_for_timeout(2000)
    frames, drawn = page.evaluate(
        "() => [window.frameTimes.filter((t) => t >= window.drawTimes[0]).length,"
        " window.drawTimes.length]"
    )
    assert frames >= 20, frames  # the page made frames all along
    assert drawn <= frames * 0.6, (drawn, frames)

    page.evaluate("() => { window.parseDelay = 0; }")
    page.keyboard.press("Control+c")
    page.wait_for_function(f"() => ({CURSOR_LINE})() === '/ # '", timeout=30_000)
    page.wait_for_timeout(200)
    page.evaluate(COUNT_DRAWS)
    for key in "quiet":
        page.keyboard.press(key)
        page.wait_for_timeout(100)
    wait_for_row(page, "/ # quiet")
    due, held = frames_held_after(page, "parseFrames")
    assert due >= 5 and not held, (due, held)


def test_a_key_pressed_during_a_flood_is_drawn_in_the_next_frame(page, member: User, shell) -> None:
    flooded_terminal(page, shell)
    for _ in range(20):
        page.keyboard.press("a")
        page.wait_for_timeout(70)
    assert page.evaluate("() => window.keyFrames.length") == 20
    due, held = frames_held_after(page, "keyFrames")
    assert due >= 5 and not held, (due, held)


def test_the_learner_sees_a_teacher_watch_and_take_over(
    page, live_url: str, member: User, instructor: User, shell
) -> None:
    log_in(page)
    open_terminal(page, shell)
    teacher_context = page.context.browser.new_context(locale="en-US", base_url=live_url)
    teacher = teacher_context.new_page()
    try:
        log_in(teacher, "teacher")
        teacher.goto(f"/engines/local/containers/{shell.id}/terminal/?watch=1")
        teacher.wait_for_selector('#terminal-page[data-connected="true"]')
        expect(notice(teacher)).to_have_text("You are watching: what you type is not sent.")
        watchers = page.locator("#terminal-watchers-text")
        expect(watchers).to_have_text("teacher watching this terminal.")
        teacher.get_by_role("button", name="Take over").click()
        expect(watchers).to_have_text("teacher has taken over this terminal.")
        teacher.locator(".xterm").click()
        teacher.keyboard.type("echo from-the-teacher\n")
        wait_for_row(page, "from-the-teacher")  # the learner sees the teacher's typing
        page.get_by_role("button", name="End the take-over").click()
        expect(notice(teacher)).to_have_text("You are watching: what you type is not sent.")
        expect(watchers).to_have_text("teacher watching this terminal.")
    finally:
        teacher_context.close()


def renderer(page) -> str | None:
    return page.locator("#terminal-page").get_attribute("data-renderer")


def test_a_software_webgl_leaves_the_dom_renderer_in_place(page, member: User, shell) -> None:
    """Headless Chromium here has no GPU, only SwiftShader: slower than the DOM renderer."""
    log_in(page)
    open_terminal(page, shell)
    assert renderer(page) == "dom"
    page.keyboard.type("echo drawn-by-dom\n")
    wait_for_row(page, "drawn-by-dom")


LOSE_CONTEXT = """() => [...document.querySelectorAll('#terminal canvas')]
  .map((canvas) => canvas.getContext('webgl2')).find(Boolean)
  .getExtension('WEBGL_lose_context').loseContext()"""


def test_webgl_draws_when_asked_and_the_dom_takes_over_when_its_context_is_lost(
    page, member: User, shell
) -> None:
    log_in(page)
    open_terminal(page, shell, "?renderer=webgl")
    assert renderer(page) == "webgl"
    page.keyboard.type("echo drawn-by-webgl\n")
    wait_for_row(page, "drawn-by-webgl")
    page.evaluate(LOSE_CONTEXT)
    expect(page.locator("#terminal-page")).to_have_attribute("data-renderer", "dom", timeout=10_000)
    page.keyboard.type("echo drawn-after-the-loss\n")
    wait_for_row(page, "drawn-after-the-loss")
    expect(page.locator(".xterm-rows")).to_contain_text("drawn-after-the-loss")


def test_without_webgl_the_dom_renderer_takes_over(
    live_url: str, member: User, shell, monkeypatch
) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with headless_chromium("--disable-webgl") as browser:
        context = browser.new_context(locale="en-US", base_url=live_url)
        page = context.new_page()
        log_in(page)
        open_terminal(page, shell, "?renderer=webgl")
        assert renderer(page) == "dom"
        page.keyboard.type("echo drawn-by-dom\n")
        wait_for_row(page, "drawn-by-dom")
        context.close()


def test_screen_reader_mode_is_saved_for_the_user(page, member: User, shell) -> None:
    log_in(page)
    open_terminal(page, shell)
    tree = page.locator(".xterm-accessibility-tree")
    expect(tree).to_have_count(0)
    page.get_by_label("Screen reader mode").check()
    expect(tree).to_have_count(1)
    page.locator(".xterm").click()
    page.keyboard.type("echo read-aloud\n")
    expect(tree).to_contain_text("read-aloud")
    page.wait_for_timeout(300)  # the preference is saved in the background
    assert TerminalPreference.objects.get(user=member).screen_reader
    open_terminal(page, shell)  # every terminal of theirs opens that way now
    expect(page.get_by_label("Screen reader mode")).to_be_checked()
    expect(tree).to_have_count(1)
