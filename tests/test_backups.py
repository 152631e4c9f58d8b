"""`manage.py backup` and `restore`: everything an installation holds comes back on a fresh
installation of the other database kind (PostgreSQL when this suite runs on SQLite and
``DOCKBOARD_RESTORE_DATABASE_URL`` names a server, as CI's does; SQLite when it runs on
PostgreSQL): users and their passwords, teams, ownership records, audit rows, a registry login
the restored keys still open, recordings. There the member signs in and finds their container
and no one else's. A backup is its owner's alone; a restore never overwrites a used
installation unless told to; the scheduled backups keep the newest few."""

import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.conf import global_settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from dashboard.models import RegistryLogin, Team, TerminalRecording
from dashboard.ops import backup, vault
from tests.harness.accounts import PASSWORD, signed_in
from tests.harness.archives import tar_bytes
from tests.harness.run import RUN_ID
from tests.pages import text_of

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent
CAST = b'{"version": 2, "width": 80, "height": 24}\n[0.5, "o", "/ # ls\\r\\n"]\n'
LOOK_AS_MEMBER = """
import sys
from django.conf import global_settings
from django.contrib.auth.models import User
from django.test import Client
member = User.objects.get(username="member")
assert member.check_password(sys.argv[1]), "the password did not come back"
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(member)
print(client.get("/engines/local/containers/?q=" + sys.argv[2]).content.decode())
"""


@pytest.fixture
def restored_database(tmp_path: Path) -> Iterator[str]:
    """A fresh database of the other kind, when there is one, for the restored installation."""
    server = os.environ.get("DOCKBOARD_RESTORE_DATABASE_URL")
    if connection.vendor == "postgresql" or not server:
        yield f"sqlite:///{tmp_path}/restored.sqlite3"
        return
    name = f"restore_{RUN_ID}".lower()
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(server)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip


def installation_env(directory: Path, database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKBOARD_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env |= {"DOCKBOARD_DATA_DIR": str(directory), "DOCKBOARD_DATABASE_URL": database,
            "PYTHONPATH": str(ROOT)}  # fmt: skip
    subprocess.run([sys.executable, "-m", "dashboard.data_dir"], cwd=ROOT, env=env, check=True)
    return env


def everything() -> list[dict]:
    """What a backup keeps of this database, as `manage.py dumpdata` prints it, in one order."""
    out = io.StringIO()
    call_command("dumpdata", natural_foreign=True, all=True, exclude=backup.LEFT_OUT, stdout=out)
    return in_order(out.getvalue())


def in_order(dump: str) -> list[dict]:
    return sorted(json.loads(dump), key=lambda row: (row["model"], str(row["pk"])))


def test_a_backup_restores_everything_on_a_fresh_installation_of_the_other_kind(
    settings, tmp_path: Path, make_container, member: User, other_member: User, team: Team,
    restored_database: str,
) -> None:  # fmt: skip
    source = tmp_path / "source"
    source.mkdir()
    settings.DATA_DIR = source
    # The password as an installation hashes it (the suite's fast hasher is the suite's alone).
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    member.set_password(PASSWORD)
    member.save(update_fields=["password"])
    (source / "secret_key").write_text("the source's secret key")
    secret = f"registry-password-{RUN_ID}"
    RegistryLogin.objects.create(
        team=team, registry="127.0.0.1:5999", username="pusher", secret=vault.encrypt(secret)
    )
    recording = TerminalRecording.objects.create(
        user=member, team=team, container_id="f" * 64, container_name="kept", owner_id=member.pk,
        mode="attach", path="recordings/2026/kept.cast",
    )  # fmt: skip
    (source / "recordings" / "2026").mkdir(parents=True)
    (source / recording.path).write_bytes(CAST)
    (source / "recordings" / "outside").symlink_to("/etc/passwd")
    mine = make_container("sleep 600", name="mine", init=True)
    theirs = make_container("sleep 600", name="theirs", init=True, owner=other_member)
    signed_in(member).post(f"/engines/local/containers/{mine.id}/actions/", {"action": "restart"})
    before = everything()
    assert any(row["model"] == "dashboard.auditevent" for row in before)

    file = tmp_path / "backup.tar.gz"
    call_command("backup", str(file))
    assert file.stat().st_mode & 0o777 == 0o600
    with tarfile.open(file) as tar:
        names = tar.getnames()
    assert "files/recordings/outside" not in names  # a link is never kept

    restored = tmp_path / "restored"
    env = installation_env(restored, restored_database)
    done = manage(env, "restore", str(file))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Restart Dockboard now" in done.stdout
    dumped = manage(env, "dumpdata", "--natural-foreign", "--all",
                    *[f"--exclude={name}" for name in backup.LEFT_OUT])  # fmt: skip
    assert dumped.returncode == 0, dumped.stderr[-3000:]
    assert in_order(dumped.stdout) == before
    assert (restored / recording.path).read_bytes() == CAST
    assert (restored / "secret_key").read_text() == "the source's secret key"
    opened = manage(
        env, "shell", "--no-imports", "-c",
        "from dashboard.models import RegistryLogin; from dashboard.ops import vault; "
        "print(vault.decrypt(RegistryLogin.objects.get().secret))",
    )  # fmt: skip
    assert opened.stdout.strip().splitlines()[-1] == secret

    look = f"import sys; sys.argv = ['look', {PASSWORD!r}, {RUN_ID!r}]\n" + LOOK_AS_MEMBER
    page = manage(env, "shell", "--no-imports", "-c", look)
    assert page.returncode == 0, page.stderr[-3000:]
    assert mine.name in text_of(page.stdout.encode()) and theirs.name not in page.stdout

    again = manage(env, "restore", str(file))
    assert again.returncode != 0
    users = User.objects.count()
    assert f"This installation has {users} users already" in again.stderr


def test_a_restore_refuses_what_is_no_backup(tmp_path: Path) -> None:
    env = installation_env(tmp_path / "fresh", f"sqlite:///{tmp_path}/fresh.sqlite3")
    for name, content in (("empty.tar.gz", b""), ("other.tar.gz", tar_bytes({"x": b"y"}))):
        (tmp_path / name).write_bytes(content)
        done = manage(env, "restore", str(tmp_path / name))
        assert done.returncode != 0
        assert "is not a Dockboard backup" in done.stderr, done.stderr[-2000:]
        assert "Traceback" not in done.stderr


def test_the_worker_backs_up_on_schedule_and_keeps_the_newest(
    settings, tmp_path: Path, member: User
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    directory = tmp_path / "backups"
    with override_settings(DOCKBOARD_BACKUP_DIR=str(directory), DOCKBOARD_BACKUP_HOURS=0,
                           DOCKBOARD_BACKUP_KEEP=2):  # fmt: skip
        written = [backup.scheduled_backup(sender=None) for _ in range(3)]
    assert sorted(directory.iterdir()) == written[1:]
    with tarfile.open(written[-1]) as tar:
        assert {"manifest.json", "database.json"} <= set(tar.getnames())
    with override_settings(DOCKBOARD_BACKUP_DIR=str(directory), DOCKBOARD_BACKUP_HOURS=24):
        assert backup.scheduled_backup(sender=None) is None  # the newest is a moment old
    with override_settings(DOCKBOARD_BACKUP_DIR=""):
        assert backup.scheduled_backup(sender=None) is None
