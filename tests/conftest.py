"""Shared fixtures: a real engine, a loopback registry, real images, users, a live server, Chromium.

Every engine object a test creates carries ``TEST_LABEL`` and is removed when the session ends.
"""

import asyncio
import contextlib
import functools
import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator

import docker
import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import Client, override_settings
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from dashboard.models import GIB, Team
from dashboard.policy.ownership import Kind, installation_id
from tests import bad_inputs
from tests.harness import crawl, owned
from tests.harness.accounts import PASSWORD, join, session_cookie, signed_in
from tests.harness.browser import headless_chromium
from tests.harness.database import database_url
from tests.harness.engine import remove_labelled, running_engine
from tests.harness.images import build_busybox_image, build_layered_image, push
from tests.harness.registry import PRIVATE_LOGIN, loopback_registry
from tests.harness.run import LABEL_KEY, RUN_ID, TEST_LABEL
from tests.harness.second_engine import second_engine
from tests.harness.server import live_asgi_server
from tests.harness.throttle import throttled_proxy

pytest_plugins = [
    "tests.lab_fixtures",
    "tests.engine_fixtures",
    "tests.world_fixtures",
    "tests.docker_api_fixtures",
    "tests.lab_pages",
]
# Property suites: the same examples every run (CI stays reproducible), no example database in
# the tree, and real engine calls, which take their time.
hypothesis_settings.register_profile(
    "dockboard",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.load_profile("dockboard")


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing() -> Iterator[None]:
    """A password hash costs 0.8 s here by design; the tests make and check hundreds of them.
    Nothing under test depends on the hash's strength (Django's own advice for test suites)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def close_executor_connections(django_db_setup: None) -> Iterator[None]:
    """Websocket logins ran in asgiref's shared executor thread, whose connection outlives them:
    close it before the test database is dropped (PostgreSQL refuses while one is open)."""
    yield
    asyncio.run(sync_to_async(connections.close_all)())


@pytest.fixture(autouse=True)
def installation_read_anew() -> None:
    """A transactional test flushes every table, the installation's row with it: each test reads
    (or makes) the row again, as its workers and reapers do."""
    installation_id.cache_clear()


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
def second_engine_address(engine: docker.DockerClient) -> Iterator[str]:
    """A real second dockerd beside the first (own paths and bridge), for several-engine tests."""
    with second_engine() as address:
        yield address


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
def private_image(engine: docker.DockerClient, busybox: str) -> Iterator[str]:
    """The test image in a registry that lets in one user alone (``PRIVATE_LOGIN``); not
    tagged here, so that a pull of it must ask the registry."""
    user, password = PRIVATE_LOGIN
    with loopback_registry(login=PRIVATE_LOGIN) as address:
        reference = f"{address}/dockboard-test/private:{RUN_ID}"
        engine.images.get(busybox).tag(reference)
        push(engine, reference, {"username": user, "password": password})
        engine.images.remove(reference)
        yield reference
        with contextlib.suppress(docker.errors.ImageNotFound):
            engine.images.remove(reference)


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
def start_command(transactional_db: None) -> Iterator[Callable[..., subprocess.Popen]]:
    """Start real management commands (``taskworker``, ``streamaudit``) on the test database,
    with ``env`` added to the environment; all stopped afterwards."""
    started = []

    def start(name: str, *options: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "django", name, *options],
            env={
                **os.environ,
                "DOCKBOARD_DATABASE_URL": database_url(connection.settings_dict),
                "DJANGO_SETTINGS_MODULE": "dashboard.settings",
                **(env or {}),
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    yield start
    for process in started:  # a clean stop: the command closes its database connection
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def start_worker(start_command: Callable[..., subprocess.Popen]) -> Callable[..., subprocess.Popen]:
    """Start real task workers (`taskworker`) on the test database; all stopped afterwards."""
    return functools.partial(start_command, "taskworker")


@pytest.fixture
def make_container(
    engine: docker.DockerClient, busybox: str, member: User, team: Team
) -> Iterator[Callable]:
    """Create labelled busybox containers (``tty``/``stdin`` as -t/-i); all removed afterwards.
    They belong to ``owner`` in ``in_team`` (the member in the team unless told otherwise), as
    the gate admits them: labelled and recorded; ``owner=None`` makes a container as the CLI
    would, without Dockboard's labels or record."""
    made = []

    def make(command=None, *, name=None, tty=True, stdin=True, start=True, init=False,
             owner=member, in_team=team, log_driver=None):  # fmt: skip
        ownership = owned.labels_for(owner, in_team) if owner else {}
        container = engine.containers.create(
            busybox,
            command,
            name=f"{name}-{RUN_ID}" if name else None,
            tty=tty,
            stdin_open=stdin,
            init=init,  # an init as PID 1 makes `docker stop` quick: sleep ignores SIGTERM
            log_config=docker.types.LogConfig(type=log_driver) if log_driver else None,
            labels={LABEL_KEY: RUN_ID, **ownership},
        )
        made.append(container)
        if owner:
            owned.admitted(Kind.CONTAINER, container.id, owner, in_team)
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


@pytest.fixture(autouse=True)
def no_containers_left(request: pytest.FixtureRequest) -> Iterator[None]:
    """Containers a test made (through the SDK or Dockboard) are gone before the next test."""
    yield
    if "engine" in request.fixturenames:
        engine = request.getfixturevalue("engine")
        for container in engine.containers.list(all=True, filters={"label": TEST_LABEL}):
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True, v=True)


@pytest.fixture
def team(db: None, registry: str, slow_registry: str) -> Team:
    """A team whose allow-list names the test images, with room for every test's containers.
    Its id is drawn at random: containers another run left behind carry other team ids."""
    return Team.objects.create(
        pk=random.randint(10**6, 10**9),  # noqa: S311 - not a secret
        name=f"class-{RUN_ID}",
        allowed_images=f"{registry}/dockboard-test/**\n{slow_registry}/dockboard-test/**",
        member_containers=100,
        member_memory=100 * GIB,
        member_cpus=100,
        team_containers=200,
        team_memory=200 * GIB,
        team_cpus=200,
    )


@pytest.fixture
def member(db: None, team: Team) -> User:
    return join(User.objects.create_user("member", password=PASSWORD), team, "member")


@pytest.fixture
def other_member(db: None, team: Team) -> User:
    return join(User.objects.create_user("other", password=PASSWORD), team, "member")


@pytest.fixture
def instructor(db: None, team: Team) -> User:
    return join(User.objects.create_user("teacher", password=PASSWORD), team, "instructor")


@pytest.fixture
def viewer(db: None, team: Team) -> User:
    return join(User.objects.create_user("watcher", password=PASSWORD), team, "viewer")


@pytest.fixture
def outsider(db: None) -> User:
    """Signed in, but on no team."""
    return User.objects.create_user("outsider", password=PASSWORD)


@pytest.fixture
def admin_client(admin: User) -> Client:
    return signed_in(admin)


@pytest.fixture
def member_client(member: User) -> Client:
    return signed_in(member)


@pytest.fixture
def cookie(member: User) -> bytes:
    """The member's session cookie, for websocket clients."""
    return session_cookie(member)


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name.endswith("_property.py"):
            item.add_marker(pytest.mark.property)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(bad_inputs.summary())
    terminalreporter.write_line(crawl.summary())
