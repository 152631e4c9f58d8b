"""uvicorn versus daphne serving Dockboard: page latency and throughput, in one run.

Usage: .venv/bin/python bench/asgi_servers.py [REQUESTS]

Each server runs the same ASGI application in its own process on a free loopback port, with a fresh
data directory. A keep-alive client measures sequential latency of the login page (a template, a
CSRF cookie, the middleware stack) and a small static file, then throughput with 8 client threads.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import short  # noqa: E402

from dashboard import data_dir as data_dirs  # noqa: E402
from tests.harness.registry import free_port  # noqa: E402

SERVERS = {
    "uvicorn": ["-m", "uvicorn", "dashboard.asgi:application", "--lifespan", "off",
                "--log-level", "warning", "--host", "127.0.0.1", "--port"],
    "daphne": ["-m", "daphne", "-b", "127.0.0.1", "-v", "0", "-p"],
}  # fmt: skip
PATHS = {"login page": "/accounts/login/", "static file": "/static/css/dashboard.css"}


def timed_gets(port: int, path: str, count: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status
        times.append(time.perf_counter() - started)
    connection.close()
    return times


def serve(name: str, data_dir: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    args = [sys.executable, *SERVERS[name], str(port)]
    if name == "daphne":
        args.append("dashboard.asgi:application")
    env = {
        **os.environ,
        "DOCKBOARD_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
    }
    process = subprocess.Popen(args, cwd=ROOT, env=env)
    deadline = time.monotonic() + 20
    while True:
        try:
            timed_gets(port, "/accounts/login/", 1)
            return process, port
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)


def main(count: int) -> None:
    print(f"{count} requests per measure; p50 / p99 in ms; throughput with 8 client threads")
    for name in SERVERS:
        with tempfile.TemporaryDirectory() as data_dir:
            env = {**os.environ, "DOCKBOARD_DATA_DIR": data_dir}
            data_dirs.prepare(Path(data_dir))
            manage = [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"]
            subprocess.run(manage, env=env, check=True)
            process, port = serve(name, data_dir)
            try:
                for label, path in PATHS.items():
                    timed_gets(port, path, 50)  # warm up
                    times = sorted(timed_gets(port, path, count))
                    p50 = statistics.median(times) * 1000
                    p99 = times[int(len(times) * 0.99) - 1] * 1000
                    started = time.perf_counter()
                    with ThreadPoolExecutor(8) as pool:
                        list(pool.map(timed_gets, [port] * 8, [path] * 8, [count // 8] * 8))
                    rate = count / (time.perf_counter() - started)
                    print(f"{name:8} {label:12} p50 {p50:6.2f}  p99 {p99:6.2f}  {rate:7.0f} req/s")
            finally:
                process.terminate()
                process.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    main(short.parse(parser, requests=100).requests)
