"""A container's files through Dockboard against `docker cp` on the engine's own socket, in one
run: the download of a folder, the upload of a file, and a folder's listing.

Usage: .venv/bin/python bench/files.py [--mb 100] [--files 1000] [--rounds 7]

- Download of a folder of --mb MB (random bytes, 1 MB files): `docker cp CONTAINER:/data -`
  against GET .../files/download/?path=/data, both read to the end; medians and throughput.
- Upload of one --mb/4 MB file: `docker cp FILE CONTAINER:/upload` against the browser's form.
- A folder of --files files: `docker exec CONTAINER ls -la` against the files page.
Everything made is labelled dockboard-bench and removed at the end.
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time
import uuid

import short
from support import (
    DATA_DIR,
    LABEL,
    busybox_image,
    dockboard_server,
    engine,
    remove_bench_containers,
    signed_in_cookie,
)


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def read_all(url: str, cookie: str) -> None:
    """curl as the client, as a browser's download is: Python's own HTTP client would be the
    slowest part of the measure."""
    subprocess.run(
        ["curl", "-sf", "-o", os.devnull, "-H", f"Cookie: {cookie}", url],
        check=True,
    )


def docker_cp_out(name: str) -> None:
    with open(os.devnull, "wb") as sink:
        subprocess.run(["docker", "cp", f"{name}:/data", "-"], stdout=sink, check=True)


def upload(url: str, cookie: str, path: str) -> None:
    """The browser's multipart form, sent by curl, its CSRF token from the page's cookie."""
    token = uuid.uuid4().hex
    answer = subprocess.run(
        ["curl", "-s", "-o", os.devnull, "-w", "%{http_code}",
         "-H", f"Cookie: {cookie}; csrftoken={token}",
         "-F", f"csrfmiddlewaretoken={token}", "-F", f"files=@{path}", url],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    assert answer.stdout == "302", answer.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    options = short.parse(parser, mb=8, files=100, rounds=2)
    client = engine()
    image = busybox_image(client)
    script = (
        f"mkdir -p /data /many /upload && for n in $(seq 1 {options.mb}); do "
        f"dd if=/dev/urandom of=/data/part-$n bs=1M count=1 2>/dev/null; done && "
        f"for n in $(seq 1 {options.files}); do echo $n > /many/file-$n; done && "
        "touch /ready && exec sleep 3600"
    )
    container = client.containers.run(
        image, ["sh", "-c", script], detach=True, labels=LABEL, init=True
    )
    upload_file = tempfile.NamedTemporaryFile(dir=DATA_DIR, delete=False)  # noqa: SIM115
    upload_file.write(os.urandom(max(1, options.mb // 4) * 1024 * 1024))
    upload_file.close()
    results: dict[str, list[float]] = {}
    try:
        while container.exec_run(["test", "-e", "/ready"]).exit_code:
            time.sleep(0.2)
        cookie = signed_in_cookie()
        with dockboard_server() as (url, _pid):
            base = f"{url}/engines/local/containers/{container.id}/files/"
            pairs = {
                "download": (
                    lambda: docker_cp_out(container.name),
                    lambda: read_all(base + "download/?path=/data", cookie),
                ),
                "upload": (
                    lambda: subprocess.run(
                        ["docker", "cp", upload_file.name, f"{container.name}:/upload/"],
                        check=True,
                    ),
                    lambda: upload(base + "upload/?path=/upload", cookie, upload_file.name),
                ),
                "listing": (
                    lambda: subprocess.run(
                        ["docker", "exec", container.name, "ls", "-la", "/many"],
                        check=True,
                        capture_output=True,
                    ),
                    lambda: read_all(base + "?path=/many", cookie),
                ),
            }
            for name, (raw, ours) in pairs.items():
                ours()  # warm: the first request sets up the SDK client
                for _ in range(options.rounds):
                    results.setdefault(f"{name} cli", []).append(timed(raw))
                    results.setdefault(f"{name} dockboard", []).append(timed(ours))
    finally:
        os.unlink(upload_file.name)
        remove_bench_containers(client)
    print(f"folder of {options.mb} MB, upload of {max(1, options.mb // 4)} MB, "
          f"{options.files} files listed, {options.rounds} rounds (medians)")  # fmt: skip
    sizes = {"download": options.mb, "upload": max(1, options.mb // 4)}
    for name in ("download", "upload", "listing"):
        raw = statistics.median(results[f"{name} cli"])
        ours = statistics.median(results[f"{name} dockboard"])
        rates = ""
        if name in sizes:
            rates = f" ({sizes[name] / raw:.0f} and {sizes[name] / ours:.0f} MB/s)"
        print(f"  {name}: docker CLI {raw * 1000:.0f} ms, Dockboard {ours * 1000:.0f} ms{rates}, "
              f"Dockboard's throughput {raw / ours:.2f} times the CLI's")  # fmt: skip


if __name__ == "__main__":
    main()
