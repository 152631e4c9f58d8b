"""The `docker` CLI through Dockboard's Engine API endpoint against the same CLI on the engine's
own socket, in one run, as a member of a team (every call through the gatekeeper and the gate).

Usage: .venv/bin/python bench/docker_api.py [--containers 500] [--rounds 15] [--attach-mb 200]
       [--echoes 300] [--pull-mb 200] [--learners 50]

- `docker ps -a` with --containers of the member's own (made through the endpoint): medians.
- `docker run --rm IMAGE true`: medians, and the difference.
- `docker start -a` of a container writing --attach-mb MB: throughput.
- Echo of one byte through an attach (`cat`, raw stream), the same client code on both: p50, p99.
- `docker pull` of an image of --pull-mb MB from a loopback registry: medians.
- --learners members, each `docker run --rm IMAGE true` at once: all succeed; p50, p99.
Everything made is labelled dockboard-bench and removed at the end.
"""

import argparse
import concurrent.futures
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import short
from support import (
    DATA_DIR,
    IMAGE,
    LABEL,
    ROOT,
    busybox_image,
    engine,
    remove_bench_containers,
)

from dashboard.models import Team
from dockerapi import tokens
from tests.harness.images import build_layered_image, push
from tests.harness.registry import free_port, loopback_registry

RAW = "unix:///var/run/docker.sock"
BENCH_LABEL = "dockboard-bench=1"


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


class Cli:
    """The real `docker` CLI with a host and a config of its own."""

    def __init__(self, host: str, secret: str = "") -> None:
        self.config = Path(tempfile.mkdtemp(prefix="bench-cli-", dir=DATA_DIR))
        headers = {"HttpHeaders": {"Authorization": f"Bearer {secret}"}} if secret else {}
        (self.config / "config.json").write_text(json.dumps(headers))
        self.env = {**os.environ, "DOCKER_HOST": host, "DOCKER_CONFIG": str(self.config)}

    def __call__(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["docker", *args], env=self.env, capture_output=True, check=False)

    def timed(self, *args: str) -> float:
        started = time.perf_counter()
        done = self(*args)
        if done.returncode:
            raise RuntimeError(f"docker {' '.join(args)}: {done.stderr.decode()}")
        return time.perf_counter() - started


def start_endpoint(port: int) -> subprocess.Popen:
    env = {**os.environ, "DOCKBOARD_DOCKER_API": f"127.0.0.1:{port}"}
    command = [sys.executable, "manage.py", "dockerapi"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)


def members(team: Team, count: int) -> list[str]:
    """``count`` members of the team, and a token of each."""
    from django.contrib.auth import get_user_model

    secrets = []
    for n in range(count):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-learner-{n}")
        team.memberships.get_or_create(user=user, defaults={"role": "member"})
        secrets.append(tokens.issue(user, "bench")[1])
    return secrets


def alternate(rounds: int, raw, ours) -> tuple[list[float], list[float]]:
    raw_times, our_times = [], []
    ours()  # warm: the endpoint's first call sets up its engine client
    raw()
    for _ in range(rounds):
        raw_times.append(raw())
        our_times.append(ours())
    return raw_times, our_times


def echo_round_trips(connect, container_id: str, rounds: int, header: bytes) -> list[float]:
    """One byte in, its echo back through `cat` (8-byte frame header and the byte), ``rounds``
    times, on one attach: the seconds of each."""
    connection = connect()
    request = (
        (
            f"POST /v1.41/containers/{container_id}/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\n"
            "Host: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n"
        ).encode()
        + header
        + b"\r\n"
    )
    connection.sendall(request)
    head = b""
    while b"\r\n\r\n" not in head:
        head += connection.recv(1)
    assert b" 101 " in head.split(b"\r\n")[0], head
    times = []
    for n in range(rounds):
        byte = bytes([65 + n % 26])
        started = time.perf_counter()
        connection.sendall(byte)
        got = b""
        while len(got) < 9:
            got += connection.recv(9 - len(got))
        times.append(time.perf_counter() - started)
        assert got[-1:] == byte
    connection.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--containers", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--attach-mb", type=int, default=200)
    parser.add_argument("--echoes", type=int, default=300)
    parser.add_argument("--pull-mb", type=int, default=200)
    parser.add_argument("--learners", type=int, default=50)
    options = short.parse(
        parser, containers=20, rounds=3, attach_mb=5, echoes=50, pull_mb=10, learners=5
    )
    client = engine()
    busybox_image(client)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    figures: list[str] = []
    with loopback_registry() as registry:
        team = Team.objects.create(
            name="bench-cli",
            allowed_images=f"dockboard-bench/**\n{registry}/bench/**",
            member_containers=options.containers + 100,
            member_memory=10**15,
            member_cpus=9999,
            team_containers=10**5,
            team_memory=10**15,
            team_cpus=9999,
        )
        secrets = members(team, max(options.learners, 1))
        port = free_port()
        endpoint = start_endpoint(port)
        raw, ours = Cli(RAW), Cli(f"tcp://127.0.0.1:{port}", secrets[0])
        try:
            figures += containers_listed(options, raw, ours)
            figures += run_remove(options, raw, ours)
            figures += attach_throughput(options, raw, ours)
            figures += echoes(options, ours, port, secrets[0])
            figures += pulls(options, client, registry, raw, ours)
            figures += learners_at_once(options, port, secrets)
        finally:
            endpoint.terminate()
            endpoint.wait()
            remove_bench_containers(client)
    print(f"docker CLI through Dockboard (a member) against the engine's socket, "
          f"{options.rounds} rounds")  # fmt: skip
    for line in figures:
        print("  " + line)


def containers_listed(options, raw: Cli, ours: Cli) -> list[str]:
    def create(_n: int) -> None:
        ours.timed("create", "--label", BENCH_LABEL, IMAGE, "true")

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(options.containers)))
    listed = ours("ps", "-a", "-q").stdout.split()
    assert len(listed) == options.containers, len(listed)
    raw_times, our_times = alternate(
        options.rounds, lambda: raw.timed("ps", "-a"), lambda: ours.timed("ps", "-a")
    )
    raw_ms, our_ms = statistics.median(raw_times) * 1000, statistics.median(our_times) * 1000
    return [
        f"docker ps -a ({options.containers} of the member's): engine {raw_ms:.1f} ms, "
        f"Dockboard {our_ms:.1f} ms, ratio {our_ms / raw_ms:.2f} (target <= 1.2)"
    ]


def run_remove(options, raw: Cli, ours: Cli) -> list[str]:
    args = ("run", "--rm", "--label", BENCH_LABEL, IMAGE, "true")
    raw_times, our_times = alternate(
        options.rounds, lambda: raw.timed(*args), lambda: ours.timed(*args)
    )
    raw_ms, our_ms = statistics.median(raw_times) * 1000, statistics.median(our_times) * 1000
    return [
        f"docker run --rm busybox true: engine {raw_ms:.0f} ms, Dockboard {our_ms:.0f} ms, "
        f"+{our_ms - raw_ms:.1f} ms (target <= +30)"
    ]


def attach_throughput(options, raw: Cli, ours: Cli) -> list[str]:
    size = options.attach_mb * 1024 * 1024
    command = f"head -c {size} /dev/zero"

    def start_attached(cli: Cli) -> float:
        made = ours("create", "--label", BENCH_LABEL, IMAGE, "sh", "-c", command)
        container_id = made.stdout.decode().strip()
        seconds = cli.timed("start", "-a", container_id)
        ours.timed("rm", container_id)
        return seconds

    rounds = max(3, options.rounds // 3)
    raw_times, our_times = alternate(
        rounds, lambda: start_attached(raw), lambda: start_attached(ours)
    )
    raw_rate = options.attach_mb / statistics.median(raw_times)
    our_rate = options.attach_mb / statistics.median(our_times)
    return [
        f"docker start -a, {options.attach_mb} MB of output: engine {raw_rate:.0f} MB/s, "
        f"Dockboard {our_rate:.0f} MB/s, {our_rate / raw_rate:.2f}x (target >= 0.9)"
    ]


def echoes(options, ours: Cli, port: int, secret: str) -> list[str]:
    made = ours("run", "-d", "-i", "--label", BENCH_LABEL, IMAGE, "cat")
    container_id = made.stdout.decode().strip()

    def engine_socket() -> socket.socket:
        connection = socket.socket(socket.AF_UNIX)
        connection.connect("/var/run/docker.sock")
        return connection

    def endpoint_socket() -> socket.socket:
        connection = socket.create_connection(("127.0.0.1", port))
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    bearer = f"Authorization: Bearer {secret}\r\n".encode()
    raw_times: list[float] = []
    our_times: list[float] = []
    for _ in range(3):  # alternating thirds, so that neither side has the quieter moment
        raw_times += echo_round_trips(engine_socket, container_id, options.echoes // 3, b"")
        our_times += echo_round_trips(endpoint_socket, container_id, options.echoes // 3, bearer)
    ours.timed("rm", "-f", container_id)
    raw50, raw99 = (percentile(raw_times, p) * 1000 for p in (0.5, 0.99))
    our50, our99 = (percentile(our_times, p) * 1000 for p in (0.5, 0.99))
    return [
        f"echo through attach ({len(our_times)} bytes): engine p50 {raw50:.2f} / p99 "
        f"{raw99:.2f} ms, Dockboard p50 {our50:.2f} / p99 {our99:.2f} ms, p99 "
        f"+{our99 - raw99:.2f} ms (target <= +2)"
    ]


def pulls(options, client, registry: str, raw: Cli, ours: Cli) -> list[str]:
    reference = f"{registry}/bench/layered:{options.pull_mb}"
    layers = max(1, options.pull_mb // 25)
    build_layered_image(client, reference, LABEL, layers, options.pull_mb * 1_000_000 // layers)
    push(client, reference)

    def pulled(cli: Cli) -> float:
        client.images.remove(reference, force=True)
        return cli.timed("pull", "-q", reference)

    rounds = max(3, options.rounds // 3)
    raw_times, our_times = alternate(rounds, lambda: pulled(raw), lambda: pulled(ours))
    client.images.remove(reference, force=True)
    raw_s, our_s = statistics.median(raw_times), statistics.median(our_times)
    return [
        f"docker pull, {options.pull_mb} MB in {layers} layers: engine {raw_s:.2f} s, "
        f"Dockboard {our_s:.2f} s, ratio {our_s / raw_s:.2f} (target <= 1.05)"
    ]


def learners_at_once(options, port: int, secrets: list[str]) -> list[str]:
    args = ("run", "--rm", "--label", BENCH_LABEL, IMAGE, "true")
    clis = [Cli(f"tcp://127.0.0.1:{port}", secret) for secret in secrets[: options.learners]]
    raws = [Cli(RAW) for _ in clis]

    def at_once(group: list[Cli]) -> list[float]:
        with concurrent.futures.ThreadPoolExecutor(len(group)) as pool:
            return list(pool.map(lambda cli: cli.timed(*args), group))

    raw_times, our_times = at_once(raws), at_once(clis)
    raw50, raw99 = (percentile(raw_times, p) * 1000 for p in (0.5, 0.99))
    our50, our99 = (percentile(our_times, p) * 1000 for p in (0.5, 0.99))
    return [
        f"{len(clis)} learners' docker run --rm at once, all succeeded: engine p50 {raw50:.0f} "
        f"/ p99 {raw99:.0f} ms, Dockboard p50 {our50:.0f} / p99 {our99:.0f} ms"
    ]


if __name__ == "__main__":
    main()
