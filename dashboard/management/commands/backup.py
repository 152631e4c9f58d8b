from pathlib import Path

from django.core.management.base import BaseCommand

from dashboard.ops import backup


class Command(BaseCommand):
    help = (
        "Back up the installation into one file: the database as one consistent snapshot, and "
        "the data directory's keys, recordings and engines' TLS files. The file is readable by "
        "its owner alone; keep it as safe as the keys it holds."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="where to write it (a .tar.gz)")

    def handle(self, *args: object, file: Path, **options: object) -> None:
        manifest = backup.write(file)
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"Backed up {rows} rows and the data directory's files to {file}.")
