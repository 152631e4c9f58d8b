"""A second Dockboard installation on the same engine, all through the test session: its own
data directory and SQLite database, a member whose user id is also one of ours (``MEMBER_ID``),
a container of that member's made through its own gate and running, a learner's lab session
running, and its lab reaper (`reaplabs --interval 1`) sweeping the engine the whole time."""

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker

ROOT = Path(__file__).resolve().parent.parent.parent
MEMBER_ID = 9001  # the other's member; the tests give a user of theirs this id too
LEARNER_ID = 9002

LAB = """\
slug = "other-installation"
title = {{ en = "The other installation's lab" }}

[time]
minutes = 1440
idle_minutes = 1440

[[services]]
name = "shell"
image = "{image}"
command = ["sh"]
interactive = true
tty = true

[[steps]]
title = "Look around"
text = "Run `ls`."
"""

SETUP = """
import json, sys
from django.contrib.auth.models import User
from django.core.management import call_command
from dashboard.models import Membership, Team
from dashboard.policy import containers as container_policy
from labs import actions
from labs.launch import launch
from labs.models import Lab
member_id, learner_id, image, label_key, label_value, lab = sys.argv[1:7]
User.objects.create_superuser("other-admin")
member = User.objects.create_user("other-member", id=int(member_id))
learner = User.objects.create_user("other-learner", id=int(learner_id))
team = Team.objects.create(name="other-team", allowed_images=image)
Membership.objects.create(user=member, team=team, role="instructor")
Membership.objects.create(user=learner, team=team, role="member")
call_command("importlab", lab)
lab_class = actions.open_class(None, Lab.objects.get(slug="other-installation").latest(), team, {})
session = actions.start_session(learner, lab_class)
launch(session.pk)
session.refresh_from_db()
assert session.state == "running", session.error
def create(command):
    return container_policy.create_container(
        member, team.pk, {"image": image, "command": command,
                          "labels": {label_key: label_value}},
    )
print(json.dumps({"made": create(["sleep", "86400"]), "running": create(["sleep", "86400"]),
                  "session": session.pk, "class": lab_class.pk}))
"""

CRAWL = """
import json, sys
from django.contrib.auth.models import User
from tests.harness.crawl import knock_all, visit
user_id, every, sockets, hidden = json.loads(sys.stdin.read())
user = User.objects.get(pk=user_id)
pages, knocked = visit(user, every, hidden), knock_all(user, sockets, hidden)
print(json.dumps({"pages": pages.as_dict(), "websockets": knocked.as_dict()}))
"""


@dataclass
class OtherInstallation:
    env: dict[str, str]
    containers: dict[str, str]  # "made" (never started), "running"
    lab_containers: set[str]
    session: int
    lab_class: int
    reaper: subprocess.Popen | None = None
    installation: str = ""  # its installation id, as its labels carry it
    member_id: int = MEMBER_ID

    def manage(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], input=stdin,
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def keep_running(self, engine: docker.DockerClient) -> None:
        """Up again after a test restarted the engine (which stops every container)."""
        for container_id in (self.containers["running"], *self.lab_containers):
            container = engine.containers.get(container_id)
            if container.status != "running":
                container.start()

    def visit(self, user_id: int, every: list[str], sockets: list[str], hidden: list[str]) -> dict:
        """Its user's visit of its own pages and websockets (tests/harness/crawl.py), in its
        own process: the findings of each."""
        script = json.dumps([user_id, every, sockets, hidden])
        out = self.manage("shell", "--no-imports", "-c", CRAWL, stdin=script)
        return json.loads(out.strip().splitlines()[-1])


def _environment(directory: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKBOARD_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env | {
        "DOCKBOARD_DATA_DIR": str(directory),
        "DOCKBOARD_DATABASE_URL": f"sqlite:///{directory}/other.sqlite3",
        "PYTHONPATH": str(ROOT),
    }


@contextlib.contextmanager
def other_installation(
    engine: docker.DockerClient, directory: Path, image: str, label: str
) -> Iterator[OtherInstallation]:
    """The other installation, set up, its containers running and its reaper started; at the
    end its reaper is stopped and what it made removed."""
    env = _environment(directory)
    subprocess.run([sys.executable, "-m", "dashboard.data_dir"], cwd=ROOT, env=env, check=True)
    other = OtherInstallation(env, {}, set(), 0, 0)
    other.manage("migrate", "--noinput")
    other.installation = other.manage(
        "shell", "--no-imports", "-c",
        "from dashboard.policy.ownership import installation_id; print(installation_id())",
    ).strip()  # fmt: skip
    theirs = {"label": f"dockboard.installation={other.installation}"}
    try:
        _set_up(engine, other, directory, image, label)
        other.reaper = subprocess.Popen(
            [sys.executable, "manage.py", "reaplabs", "--interval", "1"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        yield other
    finally:
        if other.reaper is not None:
            other.reaper.terminate()
            other.reaper.wait(10)
        for container in engine.containers.list(all=True, filters=theirs):
            container.remove(force=True, v=True)
        for network in engine.networks.list(filters=theirs):
            with contextlib.suppress(docker.errors.NotFound):
                network.remove()


def _set_up(
    engine: docker.DockerClient, other: OtherInstallation, directory: Path, image: str, label: str
) -> None:
    key, _, value = label.partition("=")
    lab = directory / "lab.toml"
    lab.write_text(LAB.format(image=image))
    arguments = [str(MEMBER_ID), str(LEARNER_ID), image, key, value, str(lab)]
    script = f"import sys; sys.argv = ['setup', *{arguments!r}]\n" + SETUP
    made = json.loads(other.manage("shell", "--no-imports", "-c", script).splitlines()[-1])
    other.containers = {"made": made["made"], "running": made["running"]}
    other.session, other.lab_class = made["session"], made["class"]
    engine.containers.get(made["running"]).start()
    session = {
        "label": [
            f"dockboard.installation={other.installation}",
            f"dockboard.lab.session={other.session}",
        ]
    }
    other.lab_containers = {c.id for c in engine.containers.list(filters=session)}
    assert other.lab_containers, "the other installation's learner has no running session"
