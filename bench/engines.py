"""The all-engines container list against each engine's own list, in one run.

Usage: .venv/bin/python bench/engines.py [--containers 250] [--repeat 15]

Starts a real second dockerd (as the tests do: its own paths and bridge, no iptables), creates
--containers labelled containers on each engine, then times the server side of
/engines/all/containers/ against /containers/ (local) and /engines/second/containers/, and
against `docker ps -a` on each engine. Everything is removed at the end.
"""

import argparse
import subprocess

import docker
import short
from django.core.management import call_command
from django.test import Client
from listing import median_seconds
from support import LABEL, administrator, busybox_image, copy_image, engine

from tests.harness.second_engine import second_engine


def fill(client, image: str, count: int) -> None:
    for _ in range(count):
        client.api.create_container(image, ["true"], labels=LABEL)


def main(args) -> None:
    local = engine()
    image = busybox_image(local)
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(administrator("bench-engines"))
    with second_engine() as address:
        call_command("engine", "add", "second", address)
        second = docker.DockerClient(base_url=address, version="1.41", timeout=120)
        try:
            copy_image(image, second)
            print(f"creating {args.containers} containers on each engine…")
            fill(local, image, args.containers)
            fill(second, image, args.containers)
            times = {
                "local": median_seconds(
                    lambda: browser.get("/engines/local/containers/"), args.repeat
                ),
                "second": median_seconds(
                    lambda: browser.get("/engines/second/containers/"), args.repeat
                ),
                "all": median_seconds(lambda: browser.get("/engines/all/containers/"), args.repeat),
            }
            cli = {
                name: median_seconds(
                    lambda host=host: subprocess.run(
                        ["docker", "-H", host, "ps", "-a"], capture_output=True, check=True
                    ),
                    args.repeat,
                )
                for name, host in (("local", "unix:///var/run/docker.sock"), ("second", address))
            }
            slower = max(times["local"], times["second"])
            print(
                f"server: local list {times['local'] * 1000:.1f} ms, second's list "
                f"{times['second'] * 1000:.1f} ms, all engines {times['all'] * 1000:.1f} ms "
                f"= {times['all'] / slower:.2f}x the slower engine's list "
                f"(sum of both {(times['local'] + times['second']) * 1000:.1f} ms); "
                f"`docker ps -a`: local {cli['local'] * 1000:.1f} ms, "
                f"second {cli['second'] * 1000:.1f} ms"
            )
        finally:
            for client in (local, second):
                for container in client.containers.list(
                    all=True, filters={"label": "dockboard-bench=1"}
                ):
                    container.remove(force=True)
            second.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--containers", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=15)
    main(short.parse(parser, containers=10, repeat=3))
