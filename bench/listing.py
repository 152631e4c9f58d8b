"""The container and image lists against `docker ps -a` and `docker images`, in one run.

Usage: .venv/bin/python bench/listing.py [--containers 500] [--images 300] [--repeat 15]

Creates labelled containers (half running) and images, then times the server side of
GET /containers/ and GET /images/ (Django's handler in this process, rendering included) against
the CLI's wall time, and counts the engine calls each page makes. Everything is removed at the end.
"""

import argparse
import io
import statistics
import subprocess
import tarfile
import time

import short
from django.core.management import call_command
from django.test import Client
from support import LABEL, administrator, busybox_image, engine, remove_bench_containers

from dashboard.engine import client as gateway


def tar_with(index: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        data = f"image {index}\n".encode()
        info = tarfile.TarInfo(f"file{index}.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def median_seconds(action, repeat: int) -> float:
    action()  # warm up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def count_engine_calls(action) -> int:
    calls = []
    api = gateway.client()
    hook = lambda response, *args, **kwargs: calls.append(response.url)  # noqa: E731
    api.hooks["response"].append(hook)
    try:
        action()
    finally:
        api.hooks["response"].remove(hook)
    return len(calls)


def compare(browser: Client, page: str, command: list[str], repeat: int) -> None:
    ours = median_seconds(lambda: browser.get(page), repeat)
    cli = median_seconds(lambda: subprocess.run(command, capture_output=True, check=True), repeat)
    calls = count_engine_calls(lambda: browser.get(page))
    shown = " ".join(command)
    print(f"{page:13} server {ours * 1000:7.1f} ms   `{shown}` {cli * 1000:7.1f} ms"
          f"   ratio {ours / cli:.2f}x   engine calls {calls}")  # fmt: skip


def main(args) -> None:
    client = engine()
    image = busybox_image(client)
    call_command("migrate", verbosity=0)
    user = administrator("bench-lists")
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(user)
    created_images = []
    try:
        print(f"creating {args.containers} containers (half running) and {args.images} images…")
        for index in range(args.containers):
            container = client.api.create_container(
                image,
                ["sleep", "3600"],
                labels=LABEL,
                host_config=client.api.create_host_config(init=True),
            )
            if index % 2 == 0:
                client.api.start(container["Id"])
        for index in range(args.images):
            client.api.import_image_from_data(
                tar_with(index), repository="dockboard-bench/img", tag=str(index)
            )
            created_images.append(f"dockboard-bench/img:{index}")

        compare(browser, "/engines/local/containers/", ["docker", "ps", "-a"], args.repeat)
        compare(browser, "/engines/local/images/", ["docker", "images"], args.repeat)

        some = client.api.containers(all=True, filters={"label": "dockboard-bench=1"})[0]["Id"]
        calls = count_engine_calls(lambda: browser.get(f"/engines/local/containers/{some}/"))
        print(f"container detail, every tab closed: {calls} engine call(s)")
    finally:
        remove_bench_containers(client)
        for name in created_images:
            client.images.remove(name, force=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--containers", type=int, default=500)
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=15)
    main(short.parse(parser, containers=30, images=20, repeat=3))
