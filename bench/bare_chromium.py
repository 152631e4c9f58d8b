"""Headless Chromium driven over the DevTools protocol with the Page, Runtime and Input domains
only. Playwright enables the Network domain, and the browser then copies every websocket frame
(base64, as JSON) to the driver: while 20 MB stream to a terminal, that copy and the driver take
about a fifth of a core from the page being measured on this 2-core machine. What is measured
here is the page alone, as a user's browser runs it."""

import contextlib
import itertools
import json
import os
import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import support  # noqa: F401 (puts the repository on the path, for tests.harness)
from websockets.sync.client import connect

from tests.harness.browser import CHROMIUM_FLAGS

CONTROL = 2  # the DevTools protocol's modifier bit for Ctrl
# The longest a DevTools call may take, awaited promises included: a page that stalls fails the
# bench with what it was waiting for, instead of holding CI until its time limit.
ANSWER_SECONDS = 300


class Page:
    def __init__(self, ws) -> None:
        self.ws, self.ids = ws, itertools.count(1)

    def send(self, method: str, **params: Any) -> dict:
        number = next(self.ids)
        self.ws.send(json.dumps({"id": number, "method": method, "params": params}))
        deadline = time.monotonic() + ANSWER_SECONDS
        while True:  # events of domains never enabled do not come; skip any that do
            left = deadline - time.monotonic()
            try:
                answer = json.loads(self.ws.recv(timeout=max(left, 0)))
            except TimeoutError:
                raise TimeoutError(f"{method}: no answer in {ANSWER_SECONDS} s: {params}") from None
            if answer.get("id") == number:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def evaluate(self, expression: str, await_promise: bool = False) -> Any:
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=await_promise,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float, interval: float) -> Any:
        deadline = time.monotonic() + timeout
        while not (value := self.evaluate(expression)):
            if time.monotonic() > deadline:
                raise TimeoutError(expression)
            time.sleep(interval)
        return value

    def key(self, key: str, code: str, keycode: int, text: str = "", modifiers: int = 0) -> None:
        """A key pressed and released, as the keyboard sends it."""
        down = {"key": key, "code": code, "windowsVirtualKeyCode": keycode, "modifiers": modifiers}
        self.send("Input.dispatchKeyEvent", type="keyDown", text=text, **down)
        self.send("Input.dispatchKeyEvent", type="keyUp", **down)

    def type(self, line: str) -> None:
        """A command line: its text as typed input, then Enter."""
        self.send("Input.insertText", text=line)
        self.key("Enter", "Enter", 13, text="\r")


@contextmanager
def bare_page(url: str, cookie: str, width: int = 1200, height: int = 800) -> Iterator[Page]:
    """A page of a fresh headless Chromium, signed in with ``cookie`` for ``url``."""
    with (
        tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile,
        tempfile.TemporaryFile("w+") as log,
    ):
        browser = subprocess.Popen(
            [
                "/usr/bin/chromium",
                "--headless",
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stderr=log,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while not (
                found := re.search(r"DevTools listening on (ws://[^:]+:(\d+)\S+)", _read(log))
            ):
                if time.monotonic() > deadline or browser.poll() is not None:
                    raise RuntimeError("Chromium did not start: " + _read(log)[-2000:])
                time.sleep(0.05)
            browser_url, port = found.groups()
            with connect(browser_url, max_size=None) as ws:
                root = Page(ws)
                target = root.send("Target.createTarget", url="about:blank")["targetId"]
                name, value = cookie.split("=", 1)
                cookies = [{"name": name, "value": value, "url": url}]
                root.send("Storage.setCookies", cookies=cookies)
                page_url = f"ws://127.0.0.1:{port}/devtools/page/{target}"
                with connect(page_url, max_size=None) as page_ws:
                    yield Page(page_ws)
                root.send("Browser.close")
            browser.wait(10)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(browser.pid, signal.SIGKILL)  # its renderers and helpers too
            browser.wait()


def _read(log) -> str:
    log.seek(0)
    return log.read()
