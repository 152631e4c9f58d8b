"""A backup and a restore of a big installation (issue 33), against the manual way in one run.

Usage: .venv/bin/python bench/backups.py [--rows 100000] [--megabytes 1024]

An installation with --rows audit rows and --megabytes of terminal recordings (asciicast text)
on SQLite is backed up with `manage.py backup` (in process), then restored with `manage.py
restore` on a fresh installation (a new process, SQLite). The peer is what the README told
administrators to do before: SQLite's own online backup of the database, then `tar czf` of
the data directory, timed the same way on the same data.
"""

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import short
from django.core.management import call_command
from support import DATA_DIR, ROOT

from dashboard.models import AuditEvent
from dashboard.ops import backup

LINE = (
    '[{t:.3f}, "o", "/ # ls -l /srv/data/{n}\\r\\n-rw-r--r--    1 root  root  4096 file\\r\\n"]\n'
)


def fill(rows: int, megabytes: int) -> int:
    """The installation's audit rows and recordings; the recordings' bytes."""
    AuditEvent.objects.all().delete()
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(actor_name="bench", action="stop", target_kind="container",
                       target_id=f"{n:064x}", target_name=f"box-{n}",
                       command=f"docker stop box-{n}", client_ip="127.0.0.1")
            for n in range(rows)
        ),
        batch_size=5000,
    )  # fmt: skip
    folder = Path(DATA_DIR) / "recordings" / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    chunk = "".join(LINE.format(t=n / 10, n=n) for n in range(10_000)).encode()
    written = 0
    for number in range(max(1, megabytes // 64)):
        with (folder / f"session-{number}.cast").open("wb") as cast:
            while cast.tell() < min(64, megabytes) * 1_000_000:
                cast.write(chunk)
            written += cast.tell()
    return written


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def manual(target: Path) -> None:
    """SQLite's online backup of the database, then the data directory tarred and gzip'd."""
    database = Path(DATA_DIR) / "dockboard.sqlite3"
    with sqlite3.connect(database) as source, sqlite3.connect(target / "db.sqlite3") as copy:
        source.backup(copy)  # SQLite's online backup, as the CLI's `.backup` runs it
    subprocess.run(
        ["tar", "-C", DATA_DIR, "-czf", str(target / "data.tgz"), "--exclude=dockboard.sqlite3*",
         "--exclude=./static", "."],
        check=True,
    )  # fmt: skip


def restore(file: Path, into: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKBOARD_")}
    env |= {"DOCKBOARD_DATA_DIR": str(into), "DOCKBOARD_DATABASE_URL": f"sqlite:///{into}/db"}
    subprocess.run([sys.executable, "-m", "dashboard.data_dir"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "restore", str(file)], cwd=ROOT, env=env, check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def main(args) -> None:
    call_command("migrate", verbosity=0)
    size = fill(args.rows, args.megabytes)
    print(f"an installation with {args.rows:,} audit rows and {size / 1e6:,.0f} MB of recordings")
    with tempfile.TemporaryDirectory(prefix="dockboard-backup-bench-") as work:
        work = Path(work)
        file = work / "backup.tar.gz"
        ours = timed(lambda: backup.write(file))
        (work / "manual").mkdir()
        peer = timed(lambda: manual(work / "manual"))
        peer_bytes = sum(path.stat().st_size for path in (work / "manual").iterdir())
        print(f"backup: manage.py backup {ours:.1f} s ({file.stat().st_size / 1e6:,.0f} MB); "
              f"SQLite backup + tar czf {peer:.1f} s ({peer_bytes / 1e6:,.0f} MB); "
              f"ratio {ours / peer:.2f}x")  # fmt: skip
        into = work / "restored"
        back = timed(lambda: restore(file, into))
        print(f"restore on a fresh installation (a new process, migrations included): {back:.1f} s")
    AuditEvent.objects.all().delete()
    shutil.rmtree(Path(DATA_DIR) / "recordings", ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--megabytes", type=int, default=1024)
    main(short.parse(parser, rows=5_000, megabytes=16))
