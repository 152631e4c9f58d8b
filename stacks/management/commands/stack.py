"""`manage.py stack up --team T --owner USER NAME FILE…` and `manage.py stack down NAME`: a stack
from the command line, through the same gate and audit log as the page, as the owner."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.engine import current as engine
from dashboard.engine.errors import EngineError
from dashboard.models import Team
from dashboard.notation import compose_file, compose_project
from dashboard.notation.compose_file import ComposeError
from stacks import deploy
from stacks.models import Stack


class Command(BaseCommand):
    help = "Deploy (up) or remove (down) a compose stack, as the page does."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        up = actions.add_parser("up", help="deploy a stack, or redeploy it with new files")
        up.add_argument("name")
        up.add_argument("files", nargs="+", type=Path, help="compose.yaml, then override files")
        up.add_argument("--owner", required=True, help="the user it is deployed as")
        up.add_argument("--team", default="", help="the team's name (none: administrators')")
        up.add_argument("--env-file", type=Path, help="the .env of ${VARIABLE}s")
        up.add_argument("--engine", default="local")
        down = actions.add_parser("down", help="remove a stack's containers and networks")
        down.add_argument("name")
        down.add_argument("--volumes", action="store_true", help="its volumes too")
        down.add_argument("--owner", help="the user it is removed as (default: its owner)")
        down.add_argument("--engine", default="local")

    def handle(self, *args: object, **options: object) -> None:
        with engine.on(options["engine"]):
            try:
                message = (self._up if options["action"] == "up" else self._down)(options)
            except ComposeError as error:
                raise CommandError(str(error)) from None
            except EngineError as error:
                raise CommandError(error.message) from None
        self.stdout.write(message)

    def _up(self, options: dict) -> str:
        owner = _user(options["owner"])
        text = "\n---\n".join(_read(path) for path in options["files"])
        env = _read(options["env_file"]) if options["env_file"] else ""
        project = compose_project.project(options["name"], compose_file.read(text, env))
        stack = Stack.objects.filter(engine=options["engine"], name=options["name"]).first()
        if stack is not None:
            stack.compose, stack.env = text, env
            return deploy.up(owner, stack, project)
        team = None
        if options["team"]:
            team = Team.objects.filter(name=options["team"]).first()
            if team is None:
                raise CommandError(f"No team named {options['team']!r}.")
        stack = Stack(
            engine=options["engine"], name=options["name"], team=team, owner=owner,
            compose=text, env=env,
        )  # fmt: skip
        return deploy.create(owner, stack, project)

    def _down(self, options: dict) -> str:
        stack = Stack.objects.filter(engine=options["engine"], name=options["name"]).first()
        if stack is None:
            raise CommandError(f"No stack named {options['name']!r} on this engine.")
        user = _user(options["owner"]) if options["owner"] else stack.owner
        if user is None:
            raise CommandError("The stack's owner is gone: name one with --owner.")
        project = compose_project.project(stack.name, compose_file.read(stack.compose, stack.env))
        return deploy.down(user, stack, project, volumes=options["volumes"])


def _user(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named {username!r}.")
    return user


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from None
