"""`manage.py engine add NAME ADDRESS [--tls-ca F --tls-cert F --tls-key F] [--overcommit R]`,
`engine list`, `engine set NAME --overcommit R|default`, `engine remove NAME`."""

import argparse
from decimal import Decimal, InvalidOperation
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
        add.add_argument("--overcommit", type=_ratio, help="placement's memory ratio (default 1)")
        commands.add_parser("list", help="every engine, pinged at once")
        change = commands.add_parser("set", help="change an engine's overcommit ratio")
        change.add_argument("name")
        change.add_argument("--overcommit", type=_ratio, required=True, help="a ratio, or default")
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
        overcommit = options.get("overcommit")
        actions.add(None, name, address, contents or None, "manage.py", overcommit)
        self.stdout.write(f"engine {name} added: {address}")

    def _set(self, name: str, overcommit: Decimal | None, **options: object) -> None:
        actions.set_overcommit(None, name, overcommit, actor="manage.py")
        self.stdout.write(f"engine {name}: overcommit {overcommit or 'default'}")

    def _list(self, **options: object) -> None:
        for item in fanout.health(engines.every_engine()):
            state = f"up (Docker {item.version})" if item.ok else f"unreachable: {item.error}"
            ratio = f"overcommit {item.engine.memory_ratio:g}"
            self.stdout.write(f"{item.engine.name}\t{item.engine.address}\t{state}\t{ratio}")

    def _remove(self, name: str, **options: object) -> None:
        actions.remove(None, name, actor="manage.py")
        self.stdout.write(f"engine {name} removed")


def _ratio(text: str) -> Decimal | None:
    """A ratio such as 1.5, or ``default`` (the installation's DOCKBOARD_OVERCOMMIT)."""
    if text == "default":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(
            f"a number such as 1.5, or default; not {text!r}"
        ) from None
