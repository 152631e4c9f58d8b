"""The browser echo, Dockboard's terminal against its peer's (Cockpit's), measured the same way
in one run: the same Chromium, the same probe in both pages, with each driver (Playwright, and
bare DevTools as bench/terminal_browser.py drives it).

The echo is timed by bench/echo_probe.py's probe, to the frame that shows its pixels.

Then the output's pace: the same lines (`seq`, `cat` of short lines, 80-column `text`, as
bench/terminal_browser.py prints them) drawn by either terminal, from Enter to the last drawing.

Cockpit runs as Debian's `cockpit-ws` on loopback, signed in as an ordinary user
(``--peer-user``, ``--peer-password`` or DOCKBOARD_PEER_PASSWORD; `.ci/run` sets it up as
../shared/notes/environment.md says). Without it answering
on ``--peer-url``, the bench says so and measures Dockboard alone."""

import argparse
import base64
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import short
from bare_chromium import bare_page
from echo_probe import PROBE, echo_figures
from support import (
    busybox_image,
    dockboard_server,
    engine,
    remove_bench_containers,
    signed_in_cookie,
)
from terminal import run_container
from terminal_browser import WORKLOADS, raw_engine_mb_s

from tests.harness.browser import headless_chromium

# A fast typist: keys 30 to 70 ms apart, at random against the screen's frames.
GAPS = (0.03, 0.07)


class PlaywrightDriver:
    name = "Playwright"

    @contextmanager
    def page(self, url: str, cookie: str) -> Iterator["PlaywrightDriver"]:
        with headless_chromium() as browser:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            name, value = cookie.split("=", 1)
            context.add_cookies([{"name": name, "value": value, "url": url}])
            context.add_init_script(PROBE)
            self.current = context.new_page()
            yield self
            context.close()

    def open(self, url: str) -> None:
        self.current.goto(url)

    def wait_for(self, expression: str, seconds: float = 30) -> None:
        self.current.wait_for_function(f"() => !!({expression})", timeout=seconds * 1000)

    def click_terminal(self, frame: str) -> None:
        scope = self.current.frame_locator(frame) if frame else self.current
        scope.locator(".xterm").click()

    def type(self, text: str) -> None:
        self.current.keyboard.type(text)
        self.current.keyboard.press("Enter")

    def evaluate(self, expression: str):
        return self.current.evaluate(f"() => {expression}")

    def echo(self) -> list[float]:
        self.current.keyboard.press("a")
        return self.current.evaluate("window.__echo.done")


class BareDriver:
    name = "bare DevTools"

    @contextmanager
    def page(self, url: str, cookie: str) -> Iterator["BareDriver"]:
        with bare_page(url, cookie, 1280, 800) as page:
            page.send("Page.enable")
            page.send("Page.addScriptToEvaluateOnNewDocument", source=PROBE)
            self.current = page
            yield self

    def open(self, url: str) -> None:
        self.current.send("Page.navigate", url=url)

    def wait_for(self, expression: str, seconds: float = 30) -> None:
        self.current.wait_for(f"!!({expression})", seconds, 0.1)

    def click_terminal(self, frame: str) -> None:
        box = self.current.evaluate(
            f"""(() => {{
              const selector = {json.dumps(frame)};
              const owner = selector ? document.querySelector(selector) : null;
              const doc = owner ? owner.contentDocument : document;
              const r = doc.querySelector(".xterm").getBoundingClientRect();
              const o = owner ? owner.getBoundingClientRect() : {{ x: 0, y: 0 }};
              return [o.x + r.x + r.width / 2, o.y + r.y + r.height / 2];
            }})()"""
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.current.send(
                "Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left",
                clickCount=1,
            )  # fmt: skip

    def type(self, text: str) -> None:
        # A key at a time: Cockpit's terminal takes Input.insertText's text without its Enter.
        for character in text:
            self.current.send(
                "Input.dispatchKeyEvent", type="keyDown", key=character, text=character
            )
            self.current.send("Input.dispatchKeyEvent", type="keyUp", key=character)
        self.current.key("Enter", "Enter", 13, text="\r")

    def evaluate(self, expression: str):
        return self.current.evaluate(expression)

    def echo(self) -> list[float]:
        self.current.key("a", "KeyA", 65, text="a")
        return self.current.evaluate("window.__echo.done", await_promise=True)


def drawing_s(driver, command: str) -> float:
    """Seconds from Enter to the last drawing of ``command``'s output: its end marker has
    arrived, and nothing was drawn for a second since."""
    driver.evaluate("__echo.endAt = 0")
    driver.type(f"{command}; echo END-$((1+1))")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        time.sleep(0.5)
        enter, end, drawn, now = driver.evaluate(
            "[__echo.enterAt, __echo.endAt, __echo.drawnAt, __echo.now()]"
        )
        if end > enter and drawn > end and now - drawn > 1000:
            return (drawn - enter) / 1000
    raise RuntimeError(f"`{command}` was not drawn in 5 minutes: {enter, end, drawn, now}")


def paces(driver, files: dict[str, tuple[str, float]]) -> str:
    return ", ".join(
        f"{name} {megabytes / drawing_s(driver, command):.1f}"
        for name, (command, megabytes) in files.items()
    )


def dockboard_figures(driver, url: str, cookie: str, shell, lines: int, keys: int) -> str:
    files = workload_files(lambda line: shell.exec_run(["sh", "-c", line]).output.decode(), lines)
    with driver.page(url, cookie) as page:
        page.open(f"{url}/engines/local/containers/{shell.id}/terminal/")
        page.wait_for("document.querySelector('#terminal-page[data-connected=\"true\"]')")
        page.click_terminal("")
        pace = paces(page, files)
        page.type("exec cat")
        time.sleep(0.5)
        page.echo()  # the first key warms the page up
        return f"{echo_figures(page.echo, keys, GAPS)}; MB/s {pace}"


COCKPIT_FRAME = 'iframe[name="cockpit1:localhost/system/terminal"]'


def cockpit_figures(driver, peer: str, credentials: tuple[str, str], lines: int, keys: int) -> str:
    def host(line: str) -> str:
        done = subprocess.run(["sh", "-c", line], capture_output=True, text=True, check=True)
        return done.stdout

    files = workload_files(host, lines, "/tmp/dockboard-peer-")
    # A sign-in that no page takes up soon is dropped by cockpit-ws: one for each page, just now.
    with driver.page(peer, cockpit_cookie(peer, *credentials)) as page:
        page.open(f"{peer}/system/terminal")
        ready = (
            f"document.querySelector('{COCKPIT_FRAME}')?.contentDocument?.querySelector('.xterm')"
        )
        page.wait_for(ready)
        page.wait_for(ready.replace(".xterm'", ".xterm-screen'"))
        time.sleep(1)  # the shell's prompt
        page.click_terminal(COCKPIT_FRAME)
        pace = paces(page, files)
        page.type("exec cat")  # the same program as Dockboard's container runs
        time.sleep(0.5)
        page.echo()
        figures = f"{echo_figures(page.echo, keys, GAPS)}; MB/s {pace}"
    host("rm -f /tmp/dockboard-peer-lines-*")
    return figures


def workload_files(run: Callable[[str], str], lines: int, prefix: str = "/") -> dict:
    """Each workload's command and megabytes through the TTY, its file written by ``run``."""
    files = {}
    for name, (prepare, command, divisor) in WORKLOADS.items():
        path = f"{prefix}lines-{name}"
        count = lines // divisor
        run(prepare.format(lines=count).replace("/lines", path))
        size = int(run(f"wc -c < {path}"))
        files[name] = (command.format(lines=count).replace("/lines", path), (size + count) / 1e6)
    return files


def cockpit_cookie(peer: str, user: str, password: str) -> str | None:
    """A signed-in Cockpit session; None when no Cockpit answers there."""
    request = urllib.request.Request(f"{peer}/cockpit/login")  # noqa: S310 (loopback)
    credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
    request.add_header("Authorization", f"Basic {credentials}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return response.headers["Set-Cookie"].split(";", 1)[0]
    except (OSError, urllib.error.URLError):
        return None


def main(args) -> None:
    client = engine()
    image = busybox_image(client)
    cookie = signed_in_cookie()
    credentials = (args.peer_user, args.peer_password)
    peer_answers = cockpit_cookie(args.peer_url, *credentials) is not None
    drivers: list[Callable] = [PlaywrightDriver, BareDriver]
    gaps = "-".join(f"{gap * 1000:.0f}" for gap in GAPS)
    print(f"== Chromium: keydown to the echo's pixels, {args.keys} keys into `cat`, {gaps} ms "
          "apart; the same probe in both pages")  # fmt: skip
    if not peer_answers and args.peer_password:  # set up to be measured (.ci/run), and away
        raise SystemExit(f"No Cockpit signs {args.peer_user} in at {args.peer_url}.")
    if not peer_answers:
        print(f"   (no Cockpit answers at {args.peer_url}: Dockboard alone)")
    try:
        with dockboard_server() as (url, _):
            for make in drivers:
                for _ in range(args.rounds):
                    driver = make()
                    shell = run_container(client, image, ["sh"])
                    mine = dockboard_figures(driver, url, cookie, shell, args.lines, args.keys)
                    shell.remove(force=True)
                    print(f"{driver.name:>14} Dockboard: {mine}")
                    if peer_answers:
                        theirs = cockpit_figures(
                            driver, args.peer_url, credentials, args.lines, args.keys
                        )
                        print(f"{driver.name:>14}   Cockpit: {theirs}")
            # Dockboard's output comes through the engine's TTY, Cockpit's from a host pty.
            raw = ", ".join(
                f"{name} {raw_engine_mb_s(client, image, args.lines, name):.1f}"
                for name in WORKLOADS
            )
            print(f"the engine's own attach socket reads the same outputs at MB/s {raw}")
    finally:
        remove_bench_containers(client)
        if peer_answers:  # each Cockpit sign-in leaves the user a session bus
            subprocess.run(["pkill", "-x", "-u", args.peer_user, "dbus-daemon"], check=False)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--lines", type=int, default=2_500_000)
    parser.add_argument("--peer-url", default="http://127.0.0.1:9090")
    parser.add_argument("--peer-user", default="peer")
    parser.add_argument("--peer-password", default=os.environ.get("DOCKBOARD_PEER_PASSWORD", ""))
    main(short.parse(parser, keys=20, rounds=1, lines=100_000))
