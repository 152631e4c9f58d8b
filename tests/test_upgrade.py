"""Upgrades: a database made by the previous release migrates, and every record it held is
still there and readable by this release's models."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS = ROOT / "tests" / "fixtures" / "release-8e3eb93.sql"

READ_BACK = """
import json
from django.contrib.auth.models import User
from dashboard.models import (
    AuditEvent, Engine, Installation, OwnershipRecord, Team, TerminalPreference, TerminalRecording,
)
from images.models import PullJob
from labs.models import LabSession
from teams.models import Invitation
kim = User.objects.get(username="kim")
team = Team.objects.get(name="class-a")
session = LabSession.objects.get(learner=kim)
print(json.dumps({
    "users": sorted(User.objects.values_list("username", flat=True)),
    "first_name": kim.first_name,
    "password": kim.check_password("an old release password 2"),
    "role": kim.memberships.get(team=team).role,
    "policy": [team.allowed_images, team.member_containers, team.engine_names],
    "engine": Engine.objects.get(name="lab2").address,
    "audit": list(AuditEvent.objects.values_list("action", "target_name", "outcome")),
    "pull": list(PullJob.objects.values_list("reference", "state")),
    "invitation": Invitation.objects.get().note,
    "recording": TerminalRecording.objects.get().size,
    "screen_reader": TerminalPreference.objects.get(user=kim).screen_reader,
    "session": [session.state, session.steps_passed, session.checks.get().output, session.engine],
    "ledger": [
        [r.engine, r.kind, r.object_id, r.owner_id == kim.pk, r.team.name, r.memory, r.lab_session]
        for r in OwnershipRecord.objects.all()
    ],
    "installations": len(str(Installation.objects.get().uuid)),
}))
"""


def test_the_previous_release_database_migrates_with_all_its_data(tmp_path: Path) -> None:
    database = tmp_path / "dockboard.sqlite3"
    with sqlite3.connect(database) as made:
        made.executescript(PREVIOUS.read_text())
        made.execute("UPDATE labs_labclass SET engine = 'lab2'")  # its sessions ran there
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKBOARD_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env |= {"DOCKBOARD_DATA_DIR": str(tmp_path), "DOCKBOARD_DATABASE_URL": f"sqlite:///{database}"}

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    subprocess.run([sys.executable, "-m", "dashboard.data_dir"], cwd=ROOT, env=env, check=True)
    manage("migrate", "--noinput")
    manage("migrate", "--check")  # nothing left unapplied
    found = json.loads(manage("shell", "--no-imports", "-c", READ_BACK).splitlines()[-1])
    assert found == {
        "users": ["kim", "release-admin"],
        "first_name": "민수",
        "password": True,
        "role": "member",
        "policy": ["127.0.0.1:5000/acc/*", 3, ["local", "lab2"]],
        "engine": "unix:///run/lab2/docker.sock",
        "audit": [["create", "web", "ok"]],
        "pull": [["127.0.0.1:5000/acc/busybox:latest", "succeeded"]],
        "invitation": "이서연",
        "recording": 1234,
        "screen_reader": True,
        "session": ["ended", [0, 1], "Passed.", "lab2"],
        # The ledger's rows are the containers' ownership records now; the installation has an id.
        "ledger": [["local", "container", "a" * 64, True, "class-a", 536870912, ""]],
        "installations": 36,
    }
