"""Dockboard as several web processes on one database and Redis: a session works on any of
them, a terminal stays open however long it idles, and a logout on one process closes the
user's terminal held by another."""

import asyncio
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from websockets.asyncio.client import connect

from dashboard.management.commands.rundashboard import web_server_command
from tests.harness.database import database_url
from tests.harness.redis import loopback_redis
from tests.harness.registry import free_port

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent
REDIS_READ_SECONDS = 5  # redis-py 8's default read timeout, and the layer's blocking pop


def wait_for_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def two_web_processes(transactional_db: None) -> Iterator[tuple[str, str]]:
    """Two uvicorn processes, each a Dockboard of its own, sharing the test database and a
    real Redis: what a load balancer puts behind one address."""
    with loopback_redis() as redis_url:
        env = {
            **os.environ,
            "DOCKBOARD_DATABASE_URL": database_url(connection.settings_dict),
            "DOCKBOARD_REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        }
        ports = [free_port(), free_port()]
        processes = [
            subprocess.Popen(
                web_server_command("127.0.0.1", port),
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for port in ports
        ]
        try:
            urls = [f"http://127.0.0.1:{port}" for port in ports]
            for url in urls:
                wait_for_http(f"{url}/accounts/login/")
            yield urls[0], urls[1]
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=10)


def get(url: str, cookie: str) -> tuple[int, str, SimpleCookie]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        return response.status, response.read().decode(), cookies


def log_out(base: str, cookie: str) -> None:
    """What the page's Log out button does: a POST with the CSRF token the page carries."""
    _status, html, cookies = get(f"{base}/", cookie)
    token = json.loads(re.search(r"hx-headers='([^']+)'", html).group(1))["X-CSRFToken"]
    request = urllib.request.Request(  # noqa: S310
        f"{base}/accounts/logout/",
        data=f"csrfmiddlewaretoken={token}".encode(),
        headers={
            "Cookie": f"{cookie}; csrftoken={cookies['csrftoken'].value}",
            "Origin": base,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    assert status_of(request) == 302


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def status_of(request: urllib.request.Request) -> int:
    """The answer's status, a redirect not followed."""
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


async def hello(ws) -> None:
    while True:
        message = await asyncio.wait_for(ws.recv(), timeout=15)
        if isinstance(message, str) and json.loads(message)["type"] == "hello":
            return


async def output_until(ws, wanted: bytes) -> None:
    seen = b""
    while wanted not in seen:
        message = await asyncio.wait_for(ws.recv(), timeout=15)
        if isinstance(message, bytes):
            seen += message


async def ended(ws) -> dict:
    while True:
        message = await asyncio.wait_for(ws.recv(), timeout=15)
        if isinstance(message, str) and (event := json.loads(message))["type"] == "ended":
            return event


@pytest.mark.asyncio
async def test_a_logout_on_one_process_closes_the_terminal_on_another(
    two_web_processes: tuple[str, str], make_container, cookie: bytes
) -> None:
    first, second = two_web_processes
    session = cookie.decode()
    for base in (first, second):  # the session works on either process
        status, html, _ = await sync_to_async(get)(f"{base}/engines/local/containers/", session)
        assert status == 200 and "Log out" in html
    container = await sync_to_async(make_container)()
    url = second.replace("http", "ws", 1) + f"/ws/containers/{container.id}/attach/"
    async with connect(url, additional_headers={"Cookie": session, "Origin": second}) as ws:
        await hello(ws)
        await asyncio.sleep(REDIS_READ_SECONDS + 2)  # idle longer than a Redis read may last
        await ws.send(b"echo held-by-$((6*7))\n")
        await output_until(ws, b"held-by-42")
        await sync_to_async(log_out)(first, session)
        assert (await ended(ws))["reason"] == "logout"
    again = urllib.request.Request(f"{second}/engines/local/", headers={"Cookie": session})  # noqa: S310
    assert await sync_to_async(status_of)(again) == 302  # signed out on the second one too
