"""Idle container-list pages: the server's CPU with the live websocket, against the polling the
list did before (and still does as its fallback while the socket is down), in one run.

Usage: .venv/bin/python bench/live_pages.py [--pages 50] [--seconds 60] [--containers 30]

1. --pages live sockets (/ws/containers/live/, what an open list page holds) for --seconds, the
   engine quiet: the server process's CPU time over that span, as % of one core.
2. --pages pollers, each asking for the table fragment every 2 s as the page's `every 2s`
   trigger did, for --seconds: the same measure.
3. With the live sockets open, a container paused and unpaused --flips times: the time from the
   SDK call to the changed row reaching every socket, p50/p95.
The list shows --containers busybox containers, labelled dockboard-bench and removed at the end.
"""

import argparse
import asyncio
import os
import statistics
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import short
from support import dockboard_server, engine, remove_bench_containers, sleeping_containers
from support import signed_in_cookie as make_cookie
from websockets.asyncio.client import connect

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


async def live_sockets(url: str, cookie: str, pages: int) -> list:
    headers = {"Cookie": cookie, "Origin": url}
    path = url.replace("http", "ws", 1) + "/ws/containers/live/?sort=-created"
    return [await connect(path, additional_headers=headers) for _ in range(pages)]


def poll(url: str, cookie: str, stop: float) -> int:
    request = urllib.request.Request(  # noqa: S310 - the bench's own server
        url + "/engines/local/containers/?sort=-created",
        headers={"Cookie": cookie, "HX-Request": "true"},
    )
    count = 0
    while time.monotonic() < stop:
        started = time.monotonic()
        urllib.request.urlopen(request, timeout=10).read()  # noqa: S310
        count += 1
        time.sleep(max(0.0, 2.0 - (time.monotonic() - started)))
    return count


def polling(url: str, cookie: str, pages: int, seconds: float) -> int:
    """Each page in a thread of its own, as each tab polls on its own."""
    stop = time.monotonic() + seconds
    with ThreadPoolExecutor(max_workers=pages) as pool:
        return sum(pool.map(lambda _page: poll(url, cookie, stop), range(pages)))


def measured(pid: int, work) -> float:
    before, started = cpu_seconds(pid), time.monotonic()
    work()
    return 100 * (cpu_seconds(pid) - before) / (time.monotonic() - started)


async def flip_latency(sockets: list, container, flips: int) -> list[float]:
    """Seconds from the SDK call to the row's frame on the slowest socket, per flip."""
    latencies = []
    for flip in range(flips):
        for ws in sockets:  # drain what earlier flips left
            while True:
                try:
                    await asyncio.wait_for(ws.recv(), 0.01)
                except TimeoutError:
                    break
        started = time.monotonic()
        await asyncio.to_thread(container.pause if flip % 2 == 0 else container.unpause)
        await asyncio.gather(*(ws.recv() for ws in sockets))
        latencies.append(time.monotonic() - started)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--containers", type=int, default=30)
    parser.add_argument("--flips", type=int, default=40)
    options = short.parse(parser, pages=5, seconds=5.0, containers=5, flips=5)
    client = engine()
    containers = sleeping_containers(client, options.containers)
    cookie = make_cookie()
    try:
        with dockboard_server() as (url, pid):

            async def live() -> tuple[float, list[float]]:
                sockets = await live_sockets(url, cookie, options.pages)
                idle = await asyncio.to_thread(measured, pid, lambda: time.sleep(options.seconds))
                latencies = await flip_latency(sockets, containers[0], options.flips)
                for ws in sockets:
                    await ws.close()
                return idle, latencies

            live_cpu, latencies = asyncio.run(live())
            requests = [0]

            def run_polling() -> None:
                requests[0] = polling(url, cookie, options.pages, options.seconds)

            polling_cpu = measured(pid, run_polling)
    finally:
        remove_bench_containers(client)
    print(f"{options.pages} idle list pages, {options.containers} containers, "
          f"{options.seconds:g} s each")  # fmt: skip
    print(f"  live websocket: server CPU {live_cpu:.2f} % of a core")
    print(f"  polling every 2 s ({requests[0]} requests): server CPU {polling_cpu:.2f} % of a core")
    quantiles = statistics.quantiles(latencies, n=20)
    print(f"  pause/unpause to the row on all {options.pages} sockets: "
          f"p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {quantiles[18] * 1000:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
