"""The volume and network list pages against the `docker` CLI listing the same, in one run.

Usage: .venv/bin/python bench/volumes_networks.py [--volumes 300] [--networks 100] [--rounds 15]

Creates --volumes volumes and --networks bridge networks labelled dockboard-bench, then times,
alternating, `docker volume ls` and GET /volumes/, `docker network ls` and GET /networks/ (an
administrator, who sees them all): medians and their ratio. Everything is removed at the end.
"""

import argparse
import statistics
import subprocess
import time
import urllib.request

import short
from docker.types import IPAMConfig, IPAMPool
from support import LABEL, dockboard_server, engine, signed_in_cookie


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def cli(*args: str):
    return lambda: subprocess.run(["docker", *args], check=True, capture_output=True)


def page(url: str, cookie: str):
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - own server

    def get() -> None:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            assert response.status == 200
            response.read()

    return get


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--volumes", type=int, default=300)
    parser.add_argument("--networks", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=15)
    options = short.parse(parser, volumes=20, networks=10, rounds=3)
    client = engine()
    volumes = [
        client.volumes.create(f"bench-vol-{n}", labels=LABEL) for n in range(options.volumes)
    ]
    networks = [  # each on a /24 of its own: the engine's default pools hold about 30
        client.networks.create(
            f"bench-net-{n}",
            labels=LABEL,
            ipam=IPAMConfig(pool_configs=[IPAMPool(subnet=f"10.199.{n}.0/24")]),
        )
        for n in range(options.networks)
    ]
    cookie = signed_in_cookie()
    results: dict[str, list[float]] = {}
    try:
        with dockboard_server() as (url, _pid):
            pairs = {
                "volumes": (cli("volume", "ls"), page(url + "/engines/local/volumes/", cookie)),
                "networks": (cli("network", "ls"), page(url + "/engines/local/networks/", cookie)),
            }
            for name, (raw, ours) in pairs.items():
                ours()  # warm: the first request sets up the SDK client
                for _ in range(options.rounds):
                    results.setdefault(f"{name} cli", []).append(timed(raw))
                    results.setdefault(f"{name} page", []).append(timed(ours))
    finally:
        for network in networks:
            network.remove()
        for volume in volumes:
            volume.remove()
    print(f"{options.volumes} volumes, {options.networks} networks, {options.rounds} rounds")
    for name in ("volumes", "networks"):
        raw = statistics.median(results[f"{name} cli"])
        ours = statistics.median(results[f"{name} page"])
        print(f"  {name}: docker CLI {raw * 1000:.0f} ms, Dockboard page {ours * 1000:.0f} ms, "
              f"ratio {ours / raw:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
