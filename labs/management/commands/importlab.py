from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from labs.library import import_template
from labs.template import TemplateError


class Command(BaseCommand):
    help = "Import a lab template (TOML) as the next version of its lab; prints slug and version."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, file: Path, **options: object) -> None:
        try:
            source = file.read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        try:
            version = import_template(source, None)
        except TemplateError as exc:
            raise CommandError(f"{file}: {exc.message}") from exc
        self.stdout.write(f"{version.lab.slug} {version.number}")
