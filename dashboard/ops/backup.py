"""A backup of an installation in one file, and its restore on a fresh one, of either database
kind: the database as one consistent snapshot (Django's serialised form, which SQLite and
PostgreSQL read alike) and the data directory's own files: the secret key, the vault's keys
(without them the stored registry logins cannot be opened), terminal recordings and remote
engines' TLS files.

Left out, because they are made again or mean nothing elsewhere: sessions (everyone signs in
again), queued tasks, login lockouts, content types and permissions (`migrate` makes them), the
static files, build contexts and sockets.

The file is a gzip'd tar readable by its owner alone: it holds password hashes and keys. The
worker also writes one on a schedule, if ``DOCKBOARD_BACKUP_DIR`` is set."""

import contextlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.core.management import call_command
from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone

from dashboard.models import Installation
from dashboard.ops.housekeeping import housekeeping

FORMAT = 1
MANIFEST, DATABASE, FILES = "manifest.json", "database.json", "files/"
KEPT = ("secret_key", "vault_keys", "recordings", "engines")  # in the data directory
SCHEDULED_PREFIX = "dockboard-"
LEFT_OUT = ["contenttypes", "auth.permission", "sessions", "django_tasks_database", "axes"]


class BackupError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def write(target: Path) -> dict[str, Any]:
    """Write a backup to ``target`` (replaced whole once complete); its manifest."""
    target = target.resolve()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".backup-") as work:
        dump = Path(work) / DATABASE
        with _snapshot():
            call_command(
                "dumpdata", natural_foreign=True, all=True, exclude=LEFT_OUT, output=str(dump),
                verbosity=0,
            )  # fmt: skip
        manifest = {
            "format": FORMAT,
            "dockboard": metadata.version("dockboard"),
            "created": timezone.now().isoformat(),
            "database": connection.vendor,
            "installation": str(Installation.objects.get_or_create(pk=1)[0].uuid),
            "rows": _row_counts(dump),
        }
        partial = Path(work) / "backup.tar.gz"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            os.fdopen(descriptor, "wb") as raw,
            tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as tar,
        ):
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            tar.add(dump, DATABASE, filter=_plain)
            for name in KEPT:
                path = Path(settings.DATA_DIR) / name
                if path.exists():
                    tar.add(path, FILES + name, filter=_plain)
        os.replace(partial, target)
    return manifest


def restore(source: Path, *, replace: bool = False) -> dict[str, Any]:
    """Restore the backup at ``source`` into this installation, which must be fresh (no user
    yet) unless ``replace``: then all it holds is replaced. Its manifest."""
    with _opened(source) as tar, tempfile.TemporaryDirectory(prefix="dockboard-restore-") as work:
        manifest = _manifest(tar, source)
        call_command("migrate", interactive=False, verbosity=0)
        users = get_user_model().objects.count()
        if users and not replace:
            raise BackupError(
                f"This installation has {users} users already: restore into a fresh one, or "
                "give --replace to replace everything it holds."
            )
        dump = Path(work) / DATABASE
        with tar.extractfile(DATABASE) as data, dump.open("wb") as out:
            shutil.copyfileobj(data, out)
        with transaction.atomic():
            _empty()
            call_command("loaddata", str(dump), verbosity=0)
        _restore_files(tar)
    return manifest


def _empty() -> None:
    """Every table emptied but for the content types and permissions, which rows refer to by
    name. Not `flush` alone: the signal after it also runs the apps' own first-run rows (the
    bundled labs), which the backup's rows would then collide with."""
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)


@contextlib.contextmanager
def _opened(source: Path) -> Iterator[tarfile.TarFile]:
    try:
        tar = tarfile.open(source, mode="r:gz")  # noqa: SIM115 - closed below
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{source} is not a Dockboard backup: {error}") from None
    with tar:
        yield tar


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    """Every table read as of one moment, without holding writers back for the dump's length."""
    if connection.vendor == "sqlite":
        # In WAL mode a deferred transaction reads one snapshot from its first read on; the
        # connection's own transactions are IMMEDIATE, which would hold the write lock.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _row_counts(dump: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with dump.open() as data:
        for row in json.load(data):
            counts[row["model"]] = counts.get(row["model"], 0) + 1
    return dict(sorted(counts.items()))


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Files and folders only, owned by no one in particular: a link is never kept."""
    if not (info.isfile() or info.isdir()):
        return None
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _manifest(tar: tarfile.TarFile, source: Path) -> dict[str, Any]:
    try:
        with tar.extractfile(MANIFEST) as data:
            manifest = json.load(data)
        tar.getmember(DATABASE)
    except (KeyError, ValueError, AttributeError):
        raise BackupError(f"{source} is not a Dockboard backup: it has no manifest.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{source} is a backup of format {manifest.get('format')}; this release reads "
            f"format {FORMAT}."
        )
    return manifest


def _restore_files(tar: tarfile.TarFile) -> None:
    """The data directory's files, as kept: only under the names a backup keeps, and only
    files and folders (tarfile's "data" filter refuses links, devices and paths outside)."""
    data_dir = Path(settings.DATA_DIR)
    for member in tar.getmembers():
        if not member.name.startswith(FILES):
            continue
        member.name = member.name.removeprefix(FILES)
        if member.name.split("/", 1)[0] not in KEPT:
            continue
        tar.extract(member, data_dir, filter="data")


@receiver(housekeeping, dispatch_uid="dashboard.backup.scheduled")
def scheduled_backup(sender: object, **kwargs: object) -> Path | None:
    """The worker's backup into ``DOCKBOARD_BACKUP_DIR`` once every ``DOCKBOARD_BACKUP_HOURS``,
    the newest ``DOCKBOARD_BACKUP_KEEP`` kept; the one it wrote, if it wrote one."""
    if not settings.DOCKBOARD_BACKUP_DIR:
        return None
    directory = Path(settings.DOCKBOARD_BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    kept = sorted(directory.glob(f"{SCHEDULED_PREFIX}*.tar.gz"))
    now = timezone.now()
    if kept and now.timestamp() - kept[-1].stat().st_mtime < settings.DOCKBOARD_BACKUP_HOURS * 3600:
        return None
    target = directory / f"{SCHEDULED_PREFIX}{now:%Y%m%d-%H%M%S-%f}.tar.gz"
    write(target)
    for old in [*kept, target][: -settings.DOCKBOARD_BACKUP_KEEP]:
        old.unlink(missing_ok=True)
    return target
