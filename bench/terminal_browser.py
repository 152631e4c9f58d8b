"""The browser part of bench/terminal.py, in headless Chromium: keydown to the echo drawn, Ctrl+C
during `yes`, and drawing 21 MB of lines (`seq`, and `cat` of the same lines), with each of
xterm.js's renderers (WebGL, DOM), against the raw attach socket reading the same output."""

import statistics
import time

from terminal import percentiles, run_container

CURSOR_LINE = """() => {
  const buffer = window.dockboardTerminal.buffer.active;
  return buffer.getLine(buffer.baseY + buffer.cursorY - 1).translateToString(true);
}"""


# The same 21 MB two ways: `seq` writes a line at a time (the engine's TTY path is then the
# bottleneck), `cat` of a file of those lines writes large blocks (then the browser is).
WORKLOADS = {
    "seq": ("", "seq 1 {lines}"),
    "cat": ("seq 1 {lines} > /lines", "cat /lines"),
}


def raw_engine_mb_s(client, image: str, lines: int, workload: str) -> float:
    """The same output read from the engine's own attach socket as fast as it comes."""
    prepare, command = (part.format(lines=lines) for part in WORKLOADS[workload])
    shell = run_container(client, image)
    sock = client.api.attach_socket(
        shell.id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
    )._sock

    def read_until(marker: bytes) -> int:
        total, tail = 0, b""
        while marker not in tail:
            data = sock.recv(262144)
            total, tail = total + len(data), (tail + data)[-64:]
        return total

    time.sleep(0.3)
    sock.sendall(f"{prepare or 'true'}; echo READY-$((1+1))\n".encode())
    read_until(b"READY-2\r\n")
    sock.sendall(f"{command}; echo END-$((1+1))\n".encode())
    started = time.perf_counter()
    total = read_until(b"END-2\r\n")
    elapsed = time.perf_counter() - started
    sock.close()
    shell.remove(force=True)
    return total / 1e6 / elapsed


def chromium_render(
    url: str, cookie: str, client, image: str, lines: int, renderer: str, workload: str
) -> None:
    from playwright.sync_api import sync_playwright

    from tests.harness.browser import CHROMIUM_FLAGS

    megabytes = sum(len(str(number)) + 2 for number in range(1, lines + 1)) / 1e6  # "\r\n"
    prepare, command = (part.format(lines=lines) for part in WORKLOADS[workload])
    shell = run_container(client, image)
    if prepare:
        shell.exec_run(["sh", "-c", prepare])
    print(f"== Chromium: `{command}` ({megabytes:.1f} MB through the TTY) drawn by xterm.js, "
          f"{renderer} renderer")  # fmt: skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
        )
        context = browser.new_context(base_url=url, viewport={"width": 1200, "height": 800})
        name, value = cookie.split("=", 1)
        context.add_cookies([{"name": name, "value": value, "url": url}])
        page = context.new_page()
        page.goto(f"/engines/local/containers/{shell.id}/terminal/?renderer={renderer}")
        page.wait_for_selector('#terminal-page[data-connected="true"]')
        page.evaluate(
            "() => { window.feeds = 0; window.dockboardTerminal.onLineFeed(() => window.feeds++); }"
        )
        page.locator(".xterm").click()
        page.keyboard.type(f"{command}; echo END-$((1+1))\n")
        started = time.perf_counter()
        page.wait_for_function(f"() => ({CURSOR_LINE})() === 'END-2'", timeout=600_000, polling=50)
        elapsed = time.perf_counter() - started
        feeds = page.evaluate("() => window.feeds")
        browser.close()
    shell.remove(force=True)
    counted = feeds - 2  # the command line's own newline and END-2's
    verdict = "nothing lost" if counted >= lines else "LINES LOST"
    raw = raw_engine_mb_s(client, image, lines, workload)
    print(f"drawn in {elapsed:.1f} s ({megabytes / elapsed:.1f} MB/s; the raw attach socket reads "
          f"it at {raw:.1f} MB/s); line feeds counted {counted} of {lines}: {verdict}")  # fmt: skip


ECHO_PROBE = """() => {
  const term = window.dockboardTerminal;
  term.options.cursorBlink = false;
  window.echoSamples = [];
  const length = () => {  // characters before the cursor, across wrapped lines
    const buffer = term.buffer.active;
    return (buffer.baseY + buffer.cursorY) * term.cols + buffer.cursorX;
  };
  let pending = null;
  document.addEventListener("keydown", () => {
    pending = { started: performance.now(), wanted: length() + 1 };
  }, true);
  term.onRender(() => {
    if (pending && length() >= pending.wanted) {
      window.echoSamples.push(performance.now() - pending.started);
      pending = null;
    }
  });
}"""


PROMPT_SHOWN = """() => {
  const buffer = window.dockboardTerminal.buffer.active;
  return buffer.getLine(buffer.baseY + buffer.cursorY).translateToString(true) === "/ # ";
}"""


def ctrl_c_ms(page, client, image: str, renderer: str) -> float:
    """`yes` running (the window full, xterm.js busy), then Ctrl+C: ms until the prompt."""
    shell = run_container(client, image)
    page.goto(f"/engines/local/containers/{shell.id}/terminal/?renderer={renderer}")
    page.wait_for_selector('#terminal-page[data-connected="true"]')
    page.locator(".xterm").click()
    page.keyboard.type("yes\n")
    page.wait_for_timeout(1500)
    page.keyboard.press("Control+c")
    started = time.perf_counter()
    page.wait_for_function(PROMPT_SHOWN, polling="raf")
    elapsed = (time.perf_counter() - started) * 1000
    shell.remove(force=True)
    return elapsed


def chromium_echo(url: str, cookie: str, client, image: str, keys: int) -> None:
    """Keydown to the echoed character drawn, in Chromium, for each renderer."""
    from playwright.sync_api import sync_playwright

    from tests.harness.browser import CHROMIUM_FLAGS

    print(f"== Chromium: keydown to echo drawn, {keys} keys into `cat`, each renderer")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
        )
        for renderer in ("webgl", "dom"):
            cat = run_container(client, image, ["cat"])
            context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
            name, value = cookie.split("=", 1)
            context.add_cookies([{"name": name, "value": value, "url": url}])
            page = context.new_page()
            page.goto(f"/engines/local/containers/{cat.id}/terminal/?renderer={renderer}")
            page.wait_for_selector('#terminal-page[data-connected="true"]')
            used = page.locator("#terminal-page").get_attribute("data-renderer")
            page.locator(".xterm").click()
            page.evaluate(ECHO_PROBE)
            for number in range(keys):
                page.keyboard.press("a")
                page.wait_for_function(f"() => window.echoSamples.length > {number}", polling="raf")
            samples = [s / 1000 for s in page.evaluate("() => window.echoSamples")]
            p50, p99 = percentiles(samples)
            stops = [ctrl_c_ms(page, client, image, renderer) for _ in range(3)]
            print(f"{used:>5}: echo p50 {p50:.1f} ms  p99 {p99:.1f} ms; Ctrl+C during `yes` to "
                  f"the prompt: median {statistics.median(stops):.0f} ms")  # fmt: skip
            context.close()
            cat.remove(force=True)
        browser.close()
