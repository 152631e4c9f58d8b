"""20 containers changing state each second: from the engine's event to the row redrawn in the
container list, in headless Chromium, against a real Dockboard server, in one run.

Usage: .venv/bin/python bench/live_rate.py [--containers 20] [--rate 20] [--seconds 15]

--containers busybox containers (labelled dockboard-bench, removed at the end) are paused and
unpaused in turn, --rate changes a second, for --seconds. The engine's own event times
(`docker events`, read with the SDK) are compared with the moments the page drew each row in the
new state (a MutationObserver in the page, on the same clock). Reported: p50, p95 and the worst
latency, and how many changes never reached the page.
"""

import argparse
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import short
from support import LABEL, dockboard_server, engine, remove_bench_containers, sleeping_containers
from support import signed_in_cookie as make_cookie

from tests.harness.browser import headless_chromium

NAME = "bench-rate-"
# Each row the page draws: its container id, whether it shows paused, and when (epoch ms).
OBSERVE = """
window.drawn = [];
new MutationObserver((mutations) => {
  const now = performance.timeOrigin + performance.now();
  for (const mutation of mutations) for (const node of mutation.addedNodes) {
    if (node.nodeType !== 1) continue;
    const rows = node.matches("tr[id^=row-]") ? [node] : node.querySelectorAll("tr[id^=row-]");
    for (const row of rows) {
      const paused = row.querySelector("td.status").textContent.includes("Paused");
      window.drawn.push([row.id.slice(4), paused, now]);
    }
  }
}).observe(document.getElementById("live-containers"), { childList: true, subtree: true });
"""


def engine_events(client, stop: threading.Event, found: list) -> None:
    """The engine's pause and unpause events, with the engine's own time, as they come."""
    stream = client.api.events(decode=True, filters={"label": "dockboard-bench=1"})
    for event in stream:
        if stop.is_set():
            break
        if event.get("Action") in {"pause", "unpause"}:
            found.append((event["id"], event["Action"] == "pause", event["timeNano"] / 1e6))


def flip(containers: list, rate: float, seconds: float) -> int:
    """Pause and unpause the containers in turn, ``rate`` changes a second."""
    paused = [False] * len(containers)
    started, changes = time.monotonic(), int(rate * seconds)
    with ThreadPoolExecutor(max_workers=8) as pool:
        for n in range(changes):
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
            index = n % len(containers)
            pool.submit(containers[index].unpause if paused[index] else containers[index].pause)
            paused[index] = not paused[index]
    return changes


def latencies(events: list, drawn: list) -> tuple[list[float], int]:
    """For each engine event, ms until the page first drew that row in that state."""
    found, missed = [], 0
    for container_id, paused, at in events:
        later = [t for i, p, t in drawn if i == container_id and p == paused and t >= at - 5]
        if later:
            found.append(min(later) - at)
        else:
            missed += 1
    return found, missed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--containers", type=int, default=20)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    options = short.parse(parser, containers=5, rate=5.0, seconds=3.0)
    client = engine()
    containers = sleeping_containers(client, options.containers, NAME)
    cookie = make_cookie()
    events: list = []
    stop = threading.Event()
    try:
        with dockboard_server() as (url, _pid), headless_chromium() as browser:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            name, value = cookie.split("=", 1)
            context.add_cookies([{"name": name, "value": value, "url": url}])
            page = context.new_page()
            page.goto(f"{url}/engines/local/containers/?q={NAME}")
            page.wait_for_selector("#live-containers[data-connected=true]")
            page.evaluate(OBSERVE)
            reader = threading.Thread(target=engine_events, args=(client, stop, events))
            reader.start()
            changes = flip(containers, options.rate, options.seconds)
            page.wait_for_timeout(3000)  # the last changes' rows
            drawn = page.evaluate("window.drawn")
            stop.set()
            # A labelled container's `create`: an event to end the reader's wait.
            client.api.create_container(containers[0].image.id, labels=LABEL)
            reader.join()
    finally:
        remove_bench_containers(client)
    found, missed = latencies(events, drawn)
    found.sort()
    print(f"{changes} pause/unpause changes, {options.rate:g}/s over {options.containers} "
          f"containers; {len(events)} engine events")  # fmt: skip
    print(f"engine event → row drawn in Chromium: p50 {statistics.median(found):.0f} ms, "
          f"p95 {found[int(0.95 * (len(found) - 1))]:.0f} ms, max {found[-1]:.0f} ms; "
          f"{missed} never drawn")  # fmt: skip


if __name__ == "__main__":
    main()
