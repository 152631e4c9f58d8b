"""`manage.py engine add NAME ADDRESS [--tls-ca F --tls-cert F --tls-key F]`, `engine list`,
`engine remove NAME`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.engine import fanout
from dashboard.engine import registry as engines
from engines import actions


class Command(BaseCommand):
    help = "Add, list (with health) or remove the Docker Engines Dockboard manages."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        add = commands.add_parser("add", help="add an engine by address")
        add.add_argument("name")
        add.add_argument("address", help="unix:///path, tcp://host:2376 or ssh://user@host")
        for kind in engines.TLS_FILES:
            add.add_argument(f"--tls-{kind}", type=Path, metavar="FILE")
        commands.add_parser("list", help="every engine, pinged at once")
        remove = commands.add_parser("remove", help="forget an engine (its containers stay)")
        remove.add_argument("name")

    def handle(self, *args: object, action: str, **options: object) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except engines.EngineConfigError as exc:
            raise CommandError(exc.message) from None

    def _add(self, name: str, address: str, **options: object) -> None:
        files = {kind: options[f"tls_{kind}"] for kind in engines.TLS_FILES}
        given = {kind: path for kind, path in files.items() if path}
        try:
            contents = {kind: path.read_bytes() for kind, path in given.items()}
        except OSError as exc:
            raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from None
        actions.add(None, name, address, contents or None, actor="manage.py")
        self.stdout.write(f"engine {name} added: {address}")

    def _list(self, **options: object) -> None:
        for item in fanout.health(engines.every_engine()):
            state = f"up (Docker {item.version})" if item.ok else f"unreachable: {item.error}"
            self.stdout.write(f"{item.engine.name}\t{item.engine.address}\t{state}")

    def _remove(self, name: str, **options: object) -> None:
        actions.remove(None, name, actor="manage.py")
        self.stdout.write(f"engine {name} removed")
