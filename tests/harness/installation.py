"""A second Dockboard installation on the same engine: its own data directory and database,
migrated, with users whose ids repeat the first installation's, a team, a class on the local
engine (so that its lab reaper sweeps it) and a container made through its own gate."""

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

SETUP = """
import json, sys
from django.contrib.auth.models import User
from django.core.management import call_command
from dashboard.policy import containers as container_policy
from dashboard.models import Membership, Team
owner_id, image, label_key, label_value, lab = sys.argv[1:6]
while User.objects.count() < int(owner_id):
    User.objects.create_user(f"second-{User.objects.count() + 1}")
member = User.objects.get(pk=int(owner_id))
team = Team.objects.create(name="second-team", allowed_images=image)
Membership.objects.create(user=member, team=team, role="instructor")
call_command("importlab", lab)
call_command("openclass", "docker-engine", team="second-team")
made = container_policy.create_container(
    member, team.pk, {"image": image, "command": ["sleep", "600"],
                      "labels": {label_key: label_value}},
)
print(json.dumps({"container": made, "member": member.pk}))
"""


@contextlib.contextmanager
def second_installation(
    directory: Path, owner_id: int, image: str, label: str
) -> Iterator[tuple[str, subprocess.Popen]]:
    """The second installation's container (owned by its user ``owner_id``) and its running
    lab reaper (`reaplabs --interval 1`); the reaper is stopped afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKBOARD_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env |= {
        "DOCKBOARD_DATA_DIR": str(directory),
        "DOCKBOARD_DATABASE_URL": f"sqlite:///{directory}/second.sqlite3",
    }

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    subprocess.run([sys.executable, "-m", "dashboard.data_dir"], cwd=ROOT, env=env, check=True)
    manage("migrate", "--noinput")
    key, _, value = label.partition("=")
    lab = str(ROOT / "labs" / "bundled" / "docker-engine.toml")
    script = f"import sys; sys.argv = ['setup', {str(owner_id)!r}, {image!r}, {key!r}, "
    script += f"{value!r}, {lab!r}]\n" + SETUP
    made = manage("shell", "--no-imports", "-c", script).strip().splitlines()[-1]
    reaper = subprocess.Popen(
        [sys.executable, "manage.py", "reaplabs", "--interval", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield made, reaper
    finally:
        reaper.terminate()
        reaper.wait(10)
