"""Shared fixtures: a real engine, a loopback registry, real images, users, a live server, Chromium.

Every engine object a test creates carries ``TEST_LABEL`` and is removed when the session ends.
"""

import asyncio
import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator

import docker
import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import Client
from django.utils import translation

from tests.harness.browser import headless_chromium
from tests.harness.database import database_url
from tests.harness.engine import remove_labelled, running_engine
from tests.harness.images import build_busybox_image, build_layered_image, push
from tests.harness.registry import loopback_registry
from tests.harness.server import live_asgi_server
from tests.harness.throttle import throttled_proxy

RUN_ID = uuid.uuid4().hex[:10]
LABEL_KEY = "dockboard.test"
TEST_LABEL = f"{LABEL_KEY}={RUN_ID}"
PASSWORD = "correct horse battery staple 42"


@pytest.fixture(scope="session", autouse=True)
def close_executor_connections(django_db_setup: None) -> Iterator[None]:
    """Websocket logins ran in asgiref's shared executor thread, whose connection outlives them:
    close it before the test database is dropped (PostgreSQL refuses while one is open)."""
    yield
    asyncio.run(sync_to_async(connections.close_all)())


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Each test starts in English: a Korean request earlier must not leak into the next test."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def engine() -> Iterator[docker.DockerClient]:
    with running_engine() as client:
        try:
            yield client
        finally:
            remove_labelled(client, TEST_LABEL)


@pytest.fixture(scope="session")
def registry(engine: docker.DockerClient) -> Iterator[str]:
    with loopback_registry() as address:
        yield address


@pytest.fixture(scope="session")
def busybox(engine: docker.DockerClient, registry: str) -> str:
    """A busybox shell image, built here, pushed to the loopback registry and kept locally."""
    reference = f"{registry}/dockboard-test/busybox:{RUN_ID}"
    build_busybox_image(engine, reference, {LABEL_KEY: RUN_ID})
    push(engine, reference)
    return reference


@pytest.fixture(scope="session")
def layered_image(engine: docker.DockerClient, registry: str) -> str:
    """Three layers of 8 MB of random bytes, in the loopback registry only (not kept locally)."""
    reference = f"{registry}/dockboard-test/layered:{RUN_ID}"
    build_layered_image(engine, reference, {LABEL_KEY: RUN_ID}, layers=3, layer_bytes=8_000_000)
    push(engine, reference)
    engine.images.remove(reference, force=True)
    return reference


@pytest.fixture
def not_local(engine: docker.DockerClient, layered_image: str) -> Callable[[str], str]:
    """Remove the layered image under every name (any registry), so its layers are pulled."""
    path = layered_image.split("/", 1)[1]

    def remove(reference: str) -> str:
        for image in engine.images.list(filters={"label": f"{LABEL_KEY}={RUN_ID}"}):
            if any(tag.endswith(path) for tag in image.tags):
                with contextlib.suppress(docker.errors.ImageNotFound):
                    engine.images.remove(image.id, force=True)
        return reference

    return remove


@pytest.fixture(scope="session")
def slow_registry(registry: str) -> Iterator[str]:
    """The same registry at 2 MB/s a connection: a pull of ``layered_image`` takes seconds."""
    with throttled_proxy(registry, 2_000_000) as address:
        yield address


@pytest.fixture
def start_worker(transactional_db: None) -> Iterator[Callable[[], subprocess.Popen]]:
    """Start real task workers (`taskworker`) on the test database; all stopped afterwards."""
    started = []

    def start(*options: str) -> subprocess.Popen:
        env = {**os.environ, "DOCKBOARD_DATABASE_URL": database_url(connection.settings_dict)}
        process = subprocess.Popen(
            [sys.executable, "-m", "django", "taskworker", *options],
            env={**env, "DJANGO_SETTINGS_MODULE": "dashboard.settings"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(process)
        return process

    yield start
    for process in started:  # a clean stop: the worker closes its database connection
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def make_container(engine: docker.DockerClient, busybox: str) -> Iterator[Callable]:
    """Create labelled busybox containers (``tty``/``stdin`` as -t/-i); all removed afterwards."""
    made = []

    def make(command=None, *, name=None, tty=True, stdin=True, start=True, init=False):
        container = engine.containers.create(
            busybox,
            command,
            name=f"{name}-{RUN_ID}" if name else None,
            tty=tty,
            stdin_open=stdin,
            init=init,  # an init as PID 1 makes `docker stop` quick: sleep ignores SIGTERM
            labels={LABEL_KEY: RUN_ID},
        )
        made.append(container)
        if start:
            container.start()
        return container

    yield make
    for container in made:
        with contextlib.suppress(docker.errors.NotFound):
            container.remove(force=True)


@pytest.fixture
def admin(db: None) -> User:
    return User.objects.create_superuser("admin", password=PASSWORD)


@pytest.fixture
def member(db: None) -> User:
    return User.objects.create_user("member", password=PASSWORD)


@pytest.fixture
def admin_client(admin: User) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def member_client(member: User) -> Client:
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def cookie(member: User) -> bytes:
    """The member's session cookie, for websocket clients."""
    client = Client()
    client.force_login(member)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@pytest.fixture(scope="session")
def live_url(django_db_setup: None, django_db_blocker: object) -> Iterator[str]:
    from dashboard.asgi import application

    with live_asgi_server(application) as url:
        yield url


@pytest.fixture
def page(live_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with headless_chromium() as browser:
        context = browser.new_context(locale="en-US", base_url=live_url)
        yield context.new_page()
        context.close()
        # ORM calls made while Playwright's loop ran live in that loop's context: close them here.
        connections.close_all()
