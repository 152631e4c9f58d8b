"""Watchers and recording, against the same terminal without them, in one run.

Usage: .venv/bin/python bench/terminal_watch.py [--watchers 30] [--keys 1000] [--megabytes 50]
                                               [--rounds 3]

1. One terminal's keystroke echo (a TTY running `cat`) alone, then with --watchers watchers
   attached in watch mode: p50/p99 of the typist, and the bytes each watcher received (every
   echoed byte must reach every watcher).
2. Recording off and on (the container's team records every terminal): throughput of
   --megabytes from a TTY, the server's CPU time for it, and keystroke echo p50, alternated
   --rounds times.
Everything is labelled dockboard-bench and removed at the end.
"""

import argparse
import asyncio
import contextlib
import multiprocessing
import statistics
import threading
import time

import short
from django.contrib.auth import get_user_model
from support import (
    busybox_image,
    cpu_seconds,
    dockboard_server,
    engine,
    remove_bench_containers,
    signed_in_cookie,
)
from terminal import (
    BrowserAcks,
    cat_container,
    dockboard_echo,
    open_ws,
    percentiles,
    producer,
    raw_echo,
    ws_receive,
)

from dashboard.models import Team, TerminalRecording
from dashboard.policy.ownership import Kind
from tests.harness import owned

LABEL = {"dockboard-bench": "1"}


async def watch(ws, counts: list[int], index: int, stop) -> None:
    acks = BrowserAcks(ws)
    while not stop.is_set():
        try:
            message = await asyncio.wait_for(ws.recv(), 0.2)
        except TimeoutError:
            continue
        if isinstance(message, bytes):
            counts[index] += message.count(b"a")
            await acks.consumed(len(message))


def watcher_process(url: str, cookie: str, path: str, count: int, ready, stop, results) -> None:
    """The watchers, in a process of their own (as in other browsers): counts what each got."""

    async def run() -> None:
        sockets = [await open_ws(url, cookie, path + "?watch=1") for _ in range(count)]
        counts = [0] * count
        readers = [asyncio.create_task(watch(w, counts, i, stop)) for i, w in enumerate(sockets)]
        ready.set()
        await asyncio.gather(*readers)
        for socket in sockets:
            await socket.close()
        results.put(counts)

    asyncio.run(run())


def raw_watcher_process(container_id: str, count: int, ready, stop, results) -> None:
    """The same number of watchers attached to the engine directly (the SDK's sockets)."""
    client = engine()
    sockets = [
        client.api.attach_socket(container_id, params={"stdout": 1, "stream": 1})
        for _ in range(count)
    ]
    counts = [0] * count

    def read(index: int) -> None:
        raw = sockets[index]._sock
        raw.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                counts[index] += raw.recv(65536).count(b"a")

    threads = [threading.Thread(target=read, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    ready.set()
    for thread in threads:
        thread.join()
    results.put(counts)


def with_watcher_process(target, args: tuple, keys_echo) -> tuple[tuple, list[int]]:
    context = multiprocessing.get_context("spawn")
    ready, stop, results = context.Event(), context.Event(), context.Queue()
    process = context.Process(target=target, args=(*args, ready, stop, results))
    process.start()
    ready.wait(60)
    measured = keys_echo()
    time.sleep(1)
    stop.set()
    counts = results.get(timeout=30)
    process.join(30)
    return measured, counts


def raw_watchers(args, client, image: str) -> None:
    alone = percentiles(raw_echo(client, cat_container(client, image), args.keys))
    watched = cat_container(client, image)
    (with_watchers, counts) = with_watcher_process(
        raw_watcher_process,
        (watched, args.watchers),
        lambda: percentiles(raw_echo(client, watched, args.keys)),
    )
    print(f"   raw engine, {args.watchers} attachers of its own: p99 {alone[1]:.2f} -> "
          f"{with_watchers[1]:.2f} ms ({with_watchers[1] - alone[1]:+.2f} ms); "
          f"{sum(c == args.keys for c in counts)}/{args.watchers} got every byte")  # fmt: skip


async def echo_on(url: str, cookie: str, container_id: str, keys: int) -> tuple[float, float]:
    ws = await open_ws(url, cookie, f"/ws/containers/{container_id}/attach/")
    measured = percentiles(await dockboard_echo(ws, keys))
    await ws.close()
    return measured


def watchers(args, url: str, cookie: str, client, image: str) -> None:
    """Alone and watched, alternated --rounds times (each on a fresh `cat`): the machine's own
    noise moves a single p99 by more than the watchers do."""
    alone, watched, complete, fewest = [], [], [], []
    for _ in range(args.rounds):
        alone.append(asyncio.run(echo_on(url, cookie, cat_container(client, image), args.keys)))
        container = cat_container(client, image)
        measured, counts = with_watcher_process(
            watcher_process,
            (url, cookie, f"/ws/containers/{container}/attach/", args.watchers),
            lambda container=container: asyncio.run(echo_on(url, cookie, container, args.keys)),
        )
        watched.append(measured)
        complete.append(sum(count == args.keys for count in counts))
        fewest.append(min(counts))
    p99s = ", ".join(f"{w[1] - a[1]:+.2f}" for a, w in zip(alone, watched, strict=True))
    p50 = [statistics.median(r[0] for r in runs) for runs in (alone, watched)]
    p99 = [statistics.median(r[1] for r in runs) for runs in (alone, watched)]
    print(f"1. echo alone: p50 {p50[0]:.2f} ms, p99 {p99[0]:.2f} ms; with {args.watchers} "
          f"watchers: p50 {p50[1]:.2f} ms, p99 {p99[1]:.2f} ms (medians of {args.rounds} "
          f"rounds: p99 {p99[1] - p99[0]:+.2f} ms; by round {p99s}); watchers that received "
          f"all {args.keys} echoed bytes: {min(complete)}/{args.watchers} in the worst round "
          f"(fewest bytes {min(fewest)})")  # fmt: skip


def team_container(client, image: str, team: Team, command: list[str]):
    owner = get_user_model().objects.get(pk=1)  # the bench's administrator
    container = client.containers.run(
        image, command, tty=True, stdin_open=True, detach=True,
        labels={**LABEL, **owned.labels_for(owner, team)},
    )  # fmt: skip
    owned.admitted(Kind.CONTAINER, container.id, owner, team)  # as the gate admits it
    return container


async def one_round(args, url: str, pid: int, cookie: str, client, image: str, team: Team) -> tuple:
    """(MB/s, the server's CPU ms a MB, echo p50 ms) of one terminal, recorded or not."""
    nbytes = args.megabytes * 1_000_000
    container = await asyncio.to_thread(team_container, client, image, team, producer(nbytes))
    ws = await open_ws(url, cookie, f"/ws/containers/{container.id}/attach/")
    started, cpu = asyncio.get_running_loop().time(), cpu_seconds(pid)
    await ws.send(b"\n")
    await ws_receive(ws, nbytes)
    seconds = asyncio.get_running_loop().time() - started
    cpu_ms_per_mb = (cpu_seconds(pid) - cpu) * 1000 / args.megabytes
    await ws.close()
    container.remove(force=True)
    cat = await asyncio.to_thread(team_container, client, image, team, ["cat"])
    ws = await open_ws(url, cookie, f"/ws/containers/{cat.id}/attach/")
    echo = percentiles(await dockboard_echo(ws, args.keys))[0]
    await ws.close()
    cat.remove(force=True)
    return args.megabytes / seconds, cpu_ms_per_mb, echo


def recording(args, url: str, pid: int, cookie: str, client, image: str) -> None:
    team, _ = Team.objects.get_or_create(name="bench-recording")
    results: dict[str, list[tuple]] = {"off": [], "all": []}
    for number in range(args.rounds):
        for mode in ("off", "all") if number % 2 == 0 else ("all", "off"):
            Team.objects.filter(pk=team.pk).update(recording=mode)
            results[mode].append(
                asyncio.run(one_round(args, url, pid, cookie, client, image, team))
            )
    (off_mbs, off_cpu, off_echo), (on_mbs, on_cpu, on_echo) = (
        [statistics.median(figures) for figures in zip(*results[mode], strict=True)]
        for mode in ("off", "all")
    )
    recorded = TerminalRecording.objects.filter(team=team).count()
    print(f"2. recording off: {off_mbs:.1f} MB/s, the server's CPU {off_cpu:.1f} ms a MB, echo "
          f"p50 {off_echo:.2f} ms; on: {on_mbs:.1f} MB/s ({(on_mbs / off_mbs - 1) * 100:+.1f} %), "
          f"{on_cpu:.1f} ms a MB, echo p50 {on_echo:.2f} ms ({on_echo - off_echo:+.2f} ms); "
          f"{recorded} terminals recorded")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--watchers", type=int, default=30)
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = short.parse(parser, watchers=5, keys=50, megabytes=5, rounds=1)
    client = engine()
    image = busybox_image(client)
    cookie = signed_in_cookie()
    try:
        with dockboard_server() as (url, pid):
            watchers(args, url, cookie, client, image)
            raw_watchers(args, client, image)
            recording(args, url, pid, cookie, client, image)
    finally:
        remove_bench_containers(client)


if __name__ == "__main__":
    main()
