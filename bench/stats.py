"""The stats collector and its pages against `docker stats --no-stream`, in one run.

Usage: .venv/bin/python bench/stats.py [--containers 500] [--passes 12] [--rounds 7]

Starts --containers sleeping containers (labelled dockboard-bench), then:
- runs the collector here for --passes passes at DOCKBOARD_STATS_INTERVAL (5 s): each pass's
  wall time, the CPU it used as a share of one core over the whole time, and the engine calls a
  second; against `docker stats --no-stream` for the same containers (wall time, and the CLI's
  CPU);
- times, alternating, GET /engines/local/stats/ (every row, as an administrator) and
  `docker stats --no-stream`: medians and their ratio;
- then live: the time from a collector pass written to the page's websocket frame;
- times a container's charts over each window, with 7 days of minute and hour rows and 2 hours
  of readings written for it first;
- kills --kills containers one at a time under a "died" rule with a webhook on loopback: the
  time from `docker kill` to the signed message received, p50 and p95.
Everything is removed at the end.
"""

import argparse
import asyncio
import http.server
import json
import resource
import secrets
import statistics
import subprocess
import threading
import time

import short
from support import (
    dockboard_server,
    engine,
    remove_bench_containers,
    signed_in_cookie,
    sleeping_containers,
)
from volumes_networks import page, timed
from websockets.asyncio.client import connect

from stats import alerting
from stats.collector import Collector
from stats.models import HOUR, MINUTE, RAW, AlertRule, ContainerSample, EngineSample
from tests.harness.registry import free_port


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def docker_stats(count: int) -> tuple[float, float]:
    """`docker stats --no-stream` of the bench's containers: wall seconds and CPU seconds."""
    before = children_cpu()
    started = time.perf_counter()
    out = subprocess.run(
        ["docker", "stats", "--no-stream", "--format", "{{.ID}} {{.CPUPerc}}"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    wall = time.perf_counter() - started
    assert len(out.splitlines()) >= count, out[-300:]
    return wall, children_cpu() - before


def collector_cost(passes: int, interval: float, count: int) -> dict[str, float]:
    collector = Collector()
    collector.collect()  # the first pass reads; rows start with the second
    walls = []
    cpu_before, started = time.process_time(), time.monotonic()
    for _ in range(passes):
        began = time.monotonic()
        collector.collect()
        walls.append(time.monotonic() - began)
        time.sleep(max(0.0, interval - walls[-1]))
    elapsed = time.monotonic() - started
    cpu = time.process_time() - cpu_before
    return {
        "pass_p50": statistics.median(walls),
        "pass_max": max(walls),
        "cpu_percent": cpu / elapsed * 100,
        "calls_per_second": passes * (count + 1) / elapsed,  # a list and a read each
    }


def history(container_id: str, now: int) -> None:
    """Two hours of readings, 48 hours of minutes and 7 days of hours for one container."""
    rows = [
        (RAW, at) for at in range(now - 7200, now, 5)
    ] + [(MINUTE, at) for at in range(now - 48 * 3600, now, 60)] + [
        (HOUR, at) for at in range(now - 7 * 86400, now, 3600)
    ]  # fmt: skip
    ContainerSample.objects.bulk_create(
        (
            ContainerSample(
                engine="local", container_id=container_id, step=step, at=at, cpu=at % 97,
                memory=at % 5000 * 1024, memory_limit=2**30, net_rx=1.0, net_tx=2.0,
                block_read=0.0, block_write=0.0, pids=1,
            )
            for step, at in rows
        ),
        batch_size=2000,
    )  # fmt: skip


class Receiver(http.server.ThreadingHTTPServer):
    """A webhook receiver on loopback: when each message came, by container name."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if body["event"] == "fired":
                    receiver.arrived[body["alert"]["container_name"]] = time.perf_counter()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", free_port()), Handler)


async def live_latency(url: str, cookie: str, passes: int, interval: float) -> list[float]:
    """Seconds from a collector pass written to the stats page's websocket frame with its
    table (every row), for each of ``passes`` passes ``interval`` apart."""
    path = url.replace("http", "ws", 1) + "/engines/local/ws/stats/live/"
    collector = Collector()
    took = []
    async with connect(path, additional_headers={"Cookie": cookie, "Origin": url}) as socket:
        for _ in range(passes):
            await asyncio.sleep(interval)
            await asyncio.to_thread(collector.collect)
            written = time.perf_counter()
            frame = await asyncio.wait_for(socket.recv(), timeout=30)
            took.append(time.perf_counter() - written)
            assert frame.startswith('<div id="stats-table"'), frame[:200]
    return took


def alert_latency(client, kills: int) -> list[float]:
    """Seconds from `docker kill` to the webhook's message, for each of ``kills`` containers."""
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    rule = AlertRule.objects.create(
        name="bench", kind=AlertRule.Kind.DIED, webhook_secret=secrets.token_hex(32),
        webhook_url=f"http://127.0.0.1:{receiver.server_address[1]}/hook",
    )  # fmt: skip
    follower = alerting.EventFollower(alerting.Watcher())
    follower.start()
    victims = sleeping_containers(client, kills, name="bench-alert-")
    took = []
    try:
        time.sleep(1)  # the event streams are open
        for victim in victims:
            killed = time.perf_counter()
            victim.kill()
            deadline = killed + 30
            while victim.name not in receiver.arrived and time.perf_counter() < deadline:
                time.sleep(0.01)
            took.append(receiver.arrived.get(victim.name, float("inf")) - killed)
    finally:
        follower.stop()
        receiver.shutdown()
        rule.delete()
        for victim in victims:
            victim.remove(force=True)
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--containers", type=int, default=500)
    parser.add_argument("--passes", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--kills", type=int, default=20)
    options = short.parse(parser, containers=10, passes=3, rounds=2, interval=2.0, kills=2)
    cookie = signed_in_cookie()  # migrates the bench's database too
    client = engine()
    remove_bench_containers(client)
    print(f"starting {options.containers} containers …", flush=True)
    containers = sleeping_containers(client, options.containers)
    try:
        cost = collector_cost(options.passes, options.interval, options.containers)
        cli = [docker_stats(options.containers) for _ in range(3)]
        cli_wall = statistics.median(w for w, _c in cli)
        cli_cpu = statistics.median(c for _w, c in cli)
        print(
            f"collector, {options.containers} running containers every {options.interval:g} s: "
            f"pass p50 {cost['pass_p50'] * 1000:.0f} ms (max {cost['pass_max'] * 1000:.0f}), "
            f"{cost['cpu_percent']:.1f}% of a core, {cost['calls_per_second']:.0f} engine "
            f"calls/s; docker stats --no-stream: {cli_wall * 1000:.0f} ms, CLI CPU "
            f"{cli_cpu * 1000:.0f} ms a run ({cli_cpu / options.interval * 100:.1f}% of a core "
            "if run at the same interval)"
        )
        history(containers[0].id, int(time.time()))
        with dockboard_server() as (url, _pid):
            listing = page(f"{url}/engines/local/stats/", cookie)
            listing()  # warm
            pages, cli_times = [], []
            for _ in range(options.rounds):
                pages.append(timed(listing))
                cli_times.append(docker_stats(options.containers)[0])
            page_ms, cli_ms = statistics.median(pages) * 1000, statistics.median(cli_times) * 1000
            print(
                f"all containers' stats, {options.containers} rows: page {page_ms:.0f} ms, "
                f"docker stats --no-stream {cli_ms:.0f} ms: ratio {page_ms / cli_ms:.2f}"
            )
            live = asyncio.run(live_latency(url, cookie, options.rounds, options.interval))
            print(
                f"then live: a pass written to its {options.containers} rows on the page's "
                f"websocket, {len(live)} passes: p50 {statistics.median(live) * 1000:.0f} ms, "
                f"max {max(live) * 1000:.0f} ms"
            )
            short_id = containers[0].id[:12]
            for window in ("15m", "1h", "24h", "7d"):
                chart = page(
                    f"{url}/engines/local/stats/containers/{short_id}/?window={window}", cookie
                )
                chart()
                median = statistics.median(timed(chart) for _ in range(options.rounds)) * 1000
                print(f"a container's chart over {window}: {median:.0f} ms")
        took = sorted(alert_latency(client, options.kills))
        p95 = took[min(len(took) - 1, round(0.95 * (len(took) - 1)))]
        print(
            f"alert, docker kill to webhook received, {len(took)} kills: "
            f"p50 {statistics.median(took) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
        )
    finally:
        for container in containers:
            container.remove(force=True)
        ContainerSample.objects.all().delete()
        EngineSample.objects.all().delete()


if __name__ == "__main__":
    main()
