"""Load test: signed-in users browsing lists and details while terminals are open and some are
busy, against Dockboard as `make run` starts it on PostgreSQL and Redis, with 2 web processes,
then with 1, in one run.

Usage: DOCKBOARD_DATABASE_URL=postgres://… .venv/bin/python bench/load.py
       [--users 200] [--terminals 100] [--busy 10] [--seconds 60] [--think 5] [--processes 2,1]

- The database is PostgreSQL (DOCKBOARD_DATABASE_URL, which it migrates); Redis is a real
  redis-server on a free loopback port, started here. Each run starts `manage.py rundashboard`
  (web processes, task worker, lab reaper, stats collector) with DOCKBOARD_WEB_PROCESSES set.
- --users instructors of one team, each a real session, each a thread of its own (requests'
  keep-alive session) that opens a page (overview, container list and detail, a container's
  logs tab, images, volumes, networks) and waits --think seconds on average before the next.
- --terminals websockets on the team's TTY containers, in another process: --busy of them run
  `yes` (read and acknowledged as the browser does), 10 run `cat` and have a key typed every
  0.25 s, timed to its echo; the rest are open and idle.
- Reported per run: page latency p50/p95/p99 and requests per second, errors (any status but
  200, any failure), echo p50/p99, busy terminals' bytes, and each server process's RSS.
Everything made is labelled dockboard-bench and removed at the end.
"""

import argparse
import asyncio
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests
import short
from support import (
    DATA_DIR,
    LABEL,
    ROOT,
    busybox_image,
    engine,
    remove_bench_containers,
    rss_kib,
    signed_in_cookie,
)
from terminal import BrowserAcks, open_ws

from dashboard.models import Membership, Team
from dashboard.policy.ownership import Kind
from tests.harness import owned
from tests.harness.redis import loopback_redis
from tests.harness.registry import free_port

ECHO_TERMINALS = 10
LOCAL = "/engines/local"
PAGES = [f"{LOCAL}/", f"{LOCAL}/containers/", f"{LOCAL}/containers/{{id}}/",
         f"{LOCAL}/containers/{{id}}/tabs/logs/", f"{LOCAL}/images/", f"{LOCAL}/volumes/",
         f"{LOCAL}/networks/"]  # fmt: skip


def team_and_users(count: int, image: str) -> tuple[Team, list[str]]:
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    team, _ = Team.objects.get_or_create(
        name="load", defaults={"allowed_images": image, "team_containers": 1000}
    )
    cookies = []
    for n in range(count):
        user, _ = User.objects.get_or_create(username=f"load-{n}")
        Membership.objects.get_or_create(user=user, team=team, role=Membership.Role.INSTRUCTOR)
        cookies.append(signed_in_cookie(user))
    return team, cookies


def containers(client, image: str, team: Team, count: int, busy: int) -> list[tuple[str, str]]:
    """(id, role) of the team's TTY containers: busy shells, `cat`s for the echo, idle shells."""
    owner = Membership.objects.filter(team=team).first().user
    ownership = owned.labels_for(owner, team)
    made = []
    for n in range(count):
        role = "busy" if n < busy else "echo" if n < busy + ECHO_TERMINALS else "idle"
        container = client.containers.run(
            image, ["cat"] if role == "echo" else None, tty=True, stdin_open=True, detach=True,
            labels={**LABEL, **ownership},
        )  # fmt: skip
        owned.admitted(Kind.CONTAINER, container.id, owner, team)
        made.append((container.id, role))
    return made


def start_dockboard(processes: int, redis_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "DOCKBOARD_DATA_DIR": DATA_DIR,
        "DOCKBOARD_BIND": f"127.0.0.1:{port}",
        "DOCKBOARD_DOCKER_API": f"127.0.0.1:{free_port()}",
        "DOCKBOARD_REDIS_URL": redis_url,
        "DOCKBOARD_WEB_PROCESSES": str(processes),
    }
    command = [sys.executable, "manage.py", "rundashboard"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{url}/accounts/login/", timeout=5)  # the first loads the whole site
            return server, url
        except (requests.ConnectionError, requests.Timeout):
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.2)


def browse(url: str, cookie: str, ids: list[str], until: float, think: float, out: list) -> None:
    """One user: a page, a pause, the next page; (seconds, page, failure) after the warm-up,
    the failure empty, or the status and page (the container's id left out), or the error."""
    session = requests.Session()
    session.headers["Cookie"] = cookie
    warm = time.monotonic() + 5
    time.sleep(random.uniform(0, think))  # users do not arrive at once
    while time.monotonic() < until:
        page = random.choice(PAGES)
        path = page.format(id=random.choice(ids))
        started = time.perf_counter()
        try:
            response = session.get(url + path, timeout=30, allow_redirects=False)
            failure = "" if response.status_code == 200 else f"{response.status_code} {page}"
        except requests.RequestException as exc:
            failure = type(exc).__name__
        if time.monotonic() > warm:
            out.append((time.perf_counter() - started, page, failure))
        time.sleep(random.expovariate(1 / think))


async def terminals(url: str, cookie: str, made: list[tuple[str, str]], seconds: float) -> dict:
    sockets = [await open_ws(url, cookie, f"/ws/containers/{cid}/attach/") for cid, _ in made]
    busy_bytes = [0]
    echoes: list[float] = []

    async def busy(ws) -> None:
        acks = BrowserAcks(ws)
        await ws.send(b"yes\n")
        while True:
            message = await ws.recv()
            if isinstance(message, bytes):
                busy_bytes[0] += len(message)
                await acks.consumed(len(message))

    async def echo(ws) -> None:
        acks = BrowserAcks(ws)
        while True:
            await asyncio.sleep(0.25)
            started = time.perf_counter()
            await ws.send(b"k")
            while True:
                message = await ws.recv()
                if isinstance(message, bytes):
                    await acks.consumed(len(message))
                    if b"k" in message:
                        break
            echoes.append(time.perf_counter() - started)

    roles = {"busy": busy, "echo": echo}
    tasks = [
        asyncio.create_task(roles[role](ws))
        for ws, (_, role) in zip(sockets, made, strict=True)
        if role in roles
    ]
    await asyncio.sleep(seconds)
    errors = sum(task.done() for task in tasks)  # a terminal that ended early
    for task in tasks:
        task.cancel()
    open_at_end = sum(ws.close_code is None for ws in sockets)
    for ws in sockets:
        await ws.close()
    return {"echoes": echoes, "busy_bytes": busy_bytes[0], "ended": errors, "open": open_at_end}


def terminal_process(url: str, cookie: str, made, seconds: float, queue) -> None:
    try:
        queue.put(asyncio.run(terminals(url, cookie, made, seconds)))
    except Exception as exc:  # reported with the figures, not lost in the child's traceback
        queue.put({"failed": f"{type(exc).__name__}: {exc}"})


def server_rss(server: subprocess.Popen) -> dict[str, float]:
    """MiB per process under `rundashboard`, named by what it runs."""
    found: dict[str, float] = {}

    def walk(pid: int, depth: int) -> None:
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            name = ("web server" if b"spawn_main" in command or b"uvicorn" in command
                    else "task worker" if b"taskworker" in command
                    else "lab reaper" if b"reaplabs" in command
                    else "stats collector" if b"collectstats" in command
                    else "Engine API endpoint" if b"dockerapi" in command else "other")  # fmt: skip
            if b"resource_tracker" not in command:
                key = f"{name} {child}"
                found[key] = rss_kib(int(child)) / 1024
            walk(int(child), depth + 1)

    walk(server.pid, 0)
    return found


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


def run(processes: int, args, redis_url: str, cookies: list[str], made) -> None:
    server, url = start_dockboard(processes, redis_url)
    try:
        ids = [cid for cid, _ in made]
        until = time.monotonic() + args.seconds
        results: list[tuple[float, str, str]] = []
        queue = multiprocessing.Queue()
        typist = multiprocessing.Process(
            target=terminal_process, args=(url, cookies[0], made, args.seconds, queue)
        )
        typist.start()
        users = [
            threading.Thread(target=browse, args=(url, c, ids, until, args.think, results))
            for c in cookies
        ]
        for user in users:
            user.start()
        for user in users:
            user.join()
        terminal = queue.get(timeout=120)
        typist.join()
        rss = server_rss(server)
    finally:
        server.send_signal(2)
        server.wait(timeout=60)
    times = [seconds for seconds, _, _ in results]
    failures = Counter(failure for _, _, failure in results if failure)
    errors = sum(failures.values())
    print(f"== {processes} web process(es): {len(cookies)} users, {len(made)} terminals "
          f"({args.busy} busy), {args.seconds:.0f} s")  # fmt: skip
    browsing = args.seconds - 5
    print(f"pages: {len(times)} in {browsing:.0f} s ({len(times) / browsing:.0f}/s), "
          f"p50 {percentile(times, 0.5):.0f} ms, p95 {percentile(times, 0.95):.0f} ms, "
          f"p99 {percentile(times, 0.99):.0f} ms; errors {errors}"
          + "".join(f", {count} of {what}" for what, count in failures.most_common()))  # fmt: skip
    by_page = {page: [t for t, p, _ in results if p == page] for page in PAGES}
    print("page p50: " + ", ".join(
        f"{page} {percentile(found, 0.5):.0f} ms" for page, found in by_page.items() if found
    ))  # fmt: skip
    if "failed" in terminal:
        print(f"terminals: failed, {terminal['failed']}")
    else:
        print_terminals(terminal, args.seconds, len(made))
    print("RSS: " + ", ".join(f"{name} {mib:.0f} MiB" for name, mib in sorted(rss.items())))


def print_terminals(terminal: dict, seconds: float, count: int) -> None:
    echoes = terminal["echoes"]
    print(f"echo: {len(echoes)} keys, p50 {statistics.median(echoes) * 1000:.1f} ms, "
          f"p99 {percentile(echoes, 0.99):.1f} ms; busy terminals "
          f"{terminal['busy_bytes'] / 1e6 / seconds:.1f} MB/s in all; terminals ended early "
          f"{terminal['ended']}, open at the end {terminal['open']} of {count}")  # fmt: skip


def main(args) -> None:
    if not os.environ.get("DOCKBOARD_DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DOCKBOARD_DATABASE_URL to a PostgreSQL database for this benchmark.")
    client = engine()
    image = busybox_image(client)
    team, cookies = team_and_users(args.users, image)
    try:
        made = containers(client, image, team, args.terminals, args.busy)
        with loopback_redis() as redis_url:
            for processes in (int(p) for p in args.processes.split(",")):
                run(processes, args, redis_url, cookies, made)
    finally:
        remove_bench_containers(client)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--terminals", type=int, default=100)
    parser.add_argument("--busy", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=5.0)
    parser.add_argument("--processes", default="2,1")
    main(short.parse(parser, users=10, terminals=14, busy=2, seconds=8.0, think=1.0))
