"""Lab fixtures: a small lab with one busybox service, a class of it, a learner's session.

Lab objects carry Dockboard's lab labels, not the test label: every lab test removes whatever
carries ``dockboard.lab.session`` on the test engine before and after it, but the other
installation's (tests/world_fixtures.py)."""

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import docker
import pytest
from django.contrib.auth.models import User
from django.db import connection

from dashboard.models import Team
from dashboard.policy import labels
from labs import actions
from labs.launch import launch as launch_on_worker
from labs.library import import_template
from labs.models import LabClass, LabSession
from tests.harness.database import database_url
from tests.harness.installation import OtherInstallation
from tests.harness.world import WORLD_KEY

SMALL_LAB = """\
slug = "small-{run}"
title = {{ en = "A small lab", ko = "작은 실습" }}

[time]
minutes = 30
idle_minutes = 10
extend_minutes = 5
max_extend_minutes = 10

[[parameters]]
name = "image"
default = "{image}"

[[parameters]]
name = "greeting"
default = "hello"
pattern = "[a-z]+"

[[services]]
name = "shell"
image = "${{image}}"
command = ["sh"]
env = {{ GREETING = "${{greeting}}" }}
memory = "64m"
interactive = true
tty = true

[setup]
service = "shell"
script = "echo ready > /setup-done"

[[steps]]
title = "Make a file"
text = '''
Make a file:

```
touch /made
```
'''

[[steps.checks]]
kind = "exec"
service = "shell"
script = '''
test -e /made || {{ echo "FAIL: /made is not there yet"; exit 1; }}
'''

[[steps]]
title = "Create a container"
text = "Create a container named `extra-${{learner}}`."

[[steps.checks]]
kind = "engine"
container = {{ name = "extra-${{learner}}", image = "${{image}}" }}
"""


def remove_lab_objects(client: docker.DockerClient, other: OtherInstallation) -> None:
    """Every lab object on the engine but the world's (whose labels only claim a session) and
    the other installation's, which are its own."""
    selector = {"label": labels.LAB_SESSION}

    def ours(found: dict[str, str]) -> bool:
        return WORLD_KEY not in found and found.get(labels.INSTALLATION) != other.installation

    for container in client.containers.list(all=True, filters=selector):
        if ours(container.labels):
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True, v=True)
    for network in client.networks.list(filters=selector):
        if ours(network.attrs.get("Labels") or {}):
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                network.remove()


@pytest.fixture
def lab_objects_removed(engine: docker.DockerClient, other: OtherInstallation) -> Iterator[None]:
    remove_lab_objects(engine, other)
    yield
    remove_lab_objects(engine, other)


@pytest.fixture
def small_lab_source(busybox: str) -> str:
    from tests.harness.run import RUN_ID

    return SMALL_LAB.format(run=RUN_ID.lower(), image=busybox)


@pytest.fixture
def lab_class(
    lab_objects_removed: None, small_lab_source: str, instructor: User, team: Team
) -> LabClass:
    version = import_template(small_lab_source, instructor)
    return actions.open_class(instructor, version, team, {})


@pytest.fixture
def launched(lab_class: LabClass, member: User) -> Callable[..., LabSession]:
    """Start a learner's session and run the worker's part of it here, on the real engine."""

    def launch(learner: User = member, on_class: LabClass = lab_class) -> LabSession:
        session = actions.start_session(learner, on_class)
        launch_on_worker(session.pk)
        session.refresh_from_db()
        return session

    return launch


@pytest.fixture
def start_reaper(transactional_db: None) -> Iterator[Callable[[], subprocess.Popen]]:
    """Start real lab reapers (`reaplabs --interval 1`) on the test database."""
    started = []

    def start() -> subprocess.Popen:
        env = {
            **os.environ,
            "DOCKBOARD_DATABASE_URL": database_url(connection.settings_dict),
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "django", "reaplabs", "--interval", "1"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
        process.wait()
