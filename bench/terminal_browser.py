"""The browser part of bench/terminal.py, in headless Chromium driven without Playwright (see
bench/bare_chromium.py): keydown to the echo's pixels (bench/echo_probe.py), Ctrl+C during
`yes`, and drawing 20 MB of lines (`seq`, `cat` of the same lines, 80-column `text`), with each
of xterm.js's renderers (WebGL, DOM), against the raw attach socket reading the same output."""

import statistics
import time

from bare_chromium import CONTROL, bare_page
from echo_probe import PROBE, echo_figures
from terminal import run_container

CURSOR_LINE = """() => {
  const buffer = window.dockboardTerminal.buffer.active;
  return buffer.getLine(buffer.baseY + buffer.cursorY - 1).translateToString(true);
}"""


# Each workload writes its lines to /lines first, then prints them through the TTY. `seq` writes
# a line at a time, and `cat` of its short lines writes large blocks: either way the engine's TTY
# is the bottleneck (about 1 µs a line). `text`, 80-column lines as in a log or source file, is
# bound by the browser.
TEXT = (
    "seq -w 1 {lines} | sed 's/$/ lorem ipsum dolor sit amet, consectetur adipiscing elit, sed"
    " do eiusmod tempor/' | cut -c 1-80 > /lines"
)
# The last field divides the line count, so that each workload prints about the same megabytes.
WORKLOADS = {
    "seq": ("seq 1 {lines} > /lines", "seq 1 {lines}", 1),
    "cat": ("seq 1 {lines} > /lines", "cat /lines", 1),
    "text": (TEXT, "cat /lines", 10),
}


def prepared(client, image: str, seq_lines: int, workload: str):
    """A TTY container holding the workload's /lines; (container, command, lines, megabytes)."""
    *parts, divisor = WORKLOADS[workload]
    lines = seq_lines // divisor
    prepare, command = (part.format(lines=lines) for part in parts)
    shell = run_container(client, image)
    shell.exec_run(["sh", "-c", prepare])
    size = int(shell.exec_run(["sh", "-c", "wc -c < /lines"]).output)
    return shell, command, lines, (size + lines) / 1e6  # the TTY sends "\r\n" for each "\n"


def raw_engine_mb_s(client, image: str, seq_lines: int, workload: str) -> float:
    """The same output read from the engine's own attach socket as fast as it comes."""
    shell, command, _, _ = prepared(client, image, seq_lines, workload)
    sock = client.api.attach_socket(
        shell.id, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
    )._sock
    sock.settimeout(DRAW_SECONDS)

    def read_until(marker: bytes) -> int:
        total, tail = 0, b""
        while marker not in tail:
            data = sock.recv(262144)
            if not data:
                raise RuntimeError(f"the attach socket closed before {marker!r}")
            total, tail = total + len(data), (tail + data)[-64:]
        return total

    time.sleep(0.3)
    sock.sendall(b"echo READY-$((1+1))\n")
    read_until(b"READY-2\r\n")
    sock.sendall(f"{command}; echo END-$((1+1))\n".encode())
    started = time.perf_counter()
    total = read_until(b"END-2\r\n")
    elapsed = time.perf_counter() - started
    sock.close()
    shell.remove(force=True)
    return total / 1e6 / elapsed


def open_terminal(page, url: str, container_id: str, renderer: str) -> str:
    """The container's terminal page, connected and focused; the renderer it uses."""
    path = f"/engines/local/containers/{container_id}/terminal/?renderer={renderer}"
    page.send("Page.navigate", url=url + path)
    page.wait_for("!!document.querySelector('#terminal-page[data-connected=\"true\"]')", 30, 0.1)
    page.evaluate("window.dockboardTerminal.focus()")
    return page.evaluate("document.getElementById('terminal-page').dataset.renderer")


def chromium_render(
    url: str, cookie: str, client, image: str, seq_lines: int, renderer: str, workload: str
) -> float:
    """Draw the workload's lines in the page; its MB/s."""
    shell, command, lines, megabytes = prepared(client, image, seq_lines, workload)
    with bare_page(url, cookie) as page:
        used = open_terminal(page, url, shell.id, renderer)
        print(f"== Chromium: `{command}` ({megabytes:.1f} MB through the TTY) drawn by xterm.js, "
              f"{used} renderer")  # fmt: skip
        page.evaluate(f"({DRAW_PROBE})()")
        page.type(f"{command}; echo END-$((1+1))")
        elapsed = page.evaluate(DRAWN_OR_NULL, await_promise=True)
        feeds, frames = page.evaluate("[window.feeds, window.frames]")
        if elapsed is None:
            line, ended = page.evaluate(f"[({CURSOR_LINE})(), {ENDED}]")
            shell.remove(force=True)
            raise DrawStalled(
                f"not drawn in {DRAW_SECONDS} s: {feeds} line feeds, {frames} frames, "
                f"{line!r} above the cursor, the connection {ended}"
            )
        elapsed /= 1000
    shell.remove(force=True)
    counted = feeds - 2  # the command line's own newline and END-2's
    verdict = "nothing lost" if counted >= lines else "LINES LOST"
    raw = raw_engine_mb_s(client, image, seq_lines, workload)
    print(f"drawn in {elapsed:.1f} s ({megabytes / elapsed:.1f} MB/s; the raw attach socket reads "
          f"it at {raw:.1f} MB/s) in {frames} frames; line feeds counted {counted} of {lines}: "
          f"{verdict}")  # fmt: skip
    return megabytes / elapsed


class DrawStalled(RuntimeError):
    pass


# A draw that has not ended by then raises with the page's state (one in CI never ended).
DRAW_SECONDS = 240
ENDED = "document.getElementById('terminal-page').dataset.ended ?? 'open'"
DRAWN_OR_NULL = (
    "Promise.race([window.drawn, "
    f"new Promise((resolve) => setTimeout(() => resolve(null), {DRAW_SECONDS * 1000}))])"
)


# Each probe times in the page, from the key's keydown to the frame that draws what it waits
# for, and settles a promise the bench awaits (polling would take the page's time).
DRAW_PROBE = (
    """() => {
  const term = window.dockboardTerminal;
  window.feeds = 0;
  window.frames = 0;
  term.onLineFeed(() => window.feeds++);
  let enterAt = null, parsed = false;
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter") enterAt = performance.now();
  }, true);
  window.drawn = new Promise((resolve) => {
    term.onWriteParsed(() => { parsed ||= ("""
    + CURSOR_LINE
    + """)() === "END-2"; });
    term.onRender(() => {
      window.frames++;
      if (parsed) resolve(performance.now() - enterAt);
    });
  });
}"""
)


PROMPT_PROBE = """() => {
  const term = window.dockboardTerminal;
  const prompt = () => {
    const buffer = term.buffer.active;
    return buffer.getLine(buffer.baseY + buffer.cursorY).translateToString(true) === "/ # ";
  };
  let pressedAt = null;
  document.addEventListener("keydown", () => { pressedAt = performance.now(); }, true);
  window.prompted = new Promise((resolve) => {
    term.onRender(() => {
      if (pressedAt !== null && prompt()) resolve(performance.now() - pressedAt);
    });
  });
}"""


def ctrl_c_ms(page, url: str, client, image: str, renderer: str) -> float:
    """`yes` running (the window full, xterm.js busy), then Ctrl+C: ms until the prompt."""
    shell = run_container(client, image)
    open_terminal(page, url, shell.id, renderer)
    page.type("yes")
    time.sleep(1.5)
    page.evaluate(f"({PROMPT_PROBE})()")
    page.key("c", "KeyC", 67, modifiers=CONTROL)
    elapsed = page.evaluate("window.prompted", await_promise=True)
    shell.remove(force=True)
    return elapsed


# Keys at a fast typist's pace (40 to 90 ms apart, at random against the screen's frames), and
# back to back: the next key the moment the last echo is drawn, so just after a frame began; its
# echo then waits for the screen's next frame (16.7 ms on at 60 Hz, less the trip to the page),
# which no page can draw sooner.
CADENCES = {"typist": (0.04, 0.09), "back to back": (0.0, 0.0)}


def chromium_echo(url: str, cookie: str, client, image: str, keys: int) -> None:
    """Keydown to the echoed character's pixels (bench/echo_probe.py), in Chromium, for each
    renderer; then Ctrl+C."""
    print(f"== Chromium: keydown to the echo's pixels, {keys} keys into `cat` at each cadence; "
          "Ctrl+C during `yes` to the prompt drawn (median of 5)")  # fmt: skip
    for renderer in ("webgl", "dom"):
        cat = run_container(client, image, ["cat"])
        with bare_page(url, cookie, 1280, 800) as page:
            page.send("Page.enable")
            page.send("Page.addScriptToEvaluateOnNewDocument", source=PROBE)
            used = open_terminal(page, url, cat.id, renderer)

            def echo(page=page) -> list[float]:
                page.key("a", "KeyA", 65, text="a")
                return page.evaluate("window.__echo.done", await_promise=True)

            echoes = {name: echo_figures(echo, keys, gaps) for name, gaps in CADENCES.items()}
            stops = [ctrl_c_ms(page, url, client, image, renderer) for _ in range(5)]
        cat.remove(force=True)
        print(f"{used:>5}: Ctrl+C {statistics.median(stops):.0f} ms; echo")
        for name, figures in echoes.items():
            print(f"       {name}: {figures}")
