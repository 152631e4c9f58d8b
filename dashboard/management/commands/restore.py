from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dashboard.ops import backup


class Command(BaseCommand):
    help = (
        "Restore a backup (`manage.py backup`) into this installation, which must be fresh, on "
        "either database kind. Restart Dockboard afterwards: the keys change."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="the backup (.tar.gz)")
        parser.add_argument(
            "--replace", action="store_true",
            help="replace everything this installation holds (its users, teams, audit log)",
        )  # fmt: skip

    def handle(self, *args: object, file: Path, replace: bool, **options: object) -> None:
        try:
            manifest = backup.restore(file, replace=replace)
        except backup.BackupError as error:
            raise CommandError(error.message) from None
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            f"Restored {rows} rows of installation {manifest['installation']} (backed up "
            f"{manifest['created']}, on {manifest['database']}). Restart Dockboard now."
        )
