"""`manage.py team NAME [--allow-image PATTERN]... [--containers N] [--memory SIZE] [--cpus N]`"""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.actions import audit
from dashboard.engine.registry import find
from dashboard.models import Team
from dashboard.notation.units import parse_cpus, parse_size
from dashboard.policy.image_patterns import pattern_is_valid


class Command(BaseCommand):
    help = (
        "Create or update a team and its policy. --containers, --memory and --cpus set each "
        "member's quota; --allow-image adds to the team's allowed images."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--allow-image", action="append", default=[], metavar="PATTERN")
        parser.add_argument("--containers", type=int, help="containers per member")
        parser.add_argument("--memory", help="memory per member, e.g. 2g")
        parser.add_argument("--cpus", help="CPUs per member, e.g. 2")
        parser.add_argument(
            "--engine",
            action="append",
            default=[],
            metavar="NAME",
            help="an engine the team's members use (local unless named)",
        )

    def handle(self, *args: object, **options: object) -> None:
        for pattern in options["allow_image"]:
            if not pattern_is_valid(pattern):
                raise CommandError(f"not an image pattern: {pattern!r}")
        team, created = Team.objects.get_or_create(name=options["name"])
        patterns = team.image_patterns + [
            p for p in options["allow_image"] if p not in team.image_patterns
        ]
        team.allowed_images = "\n".join(patterns)
        for name in options["engine"]:
            if find(name) is None:
                raise CommandError(f"no such engine: {name!r}")
        team.engines = "\n".join(dict.fromkeys([*team.engine_names, *options["engine"]]))
        if options["containers"] is not None:
            if options["containers"] < 0:
                raise CommandError("--containers takes a number from 0 up")
            team.member_containers = options["containers"]
        if options["memory"]:
            team.member_memory = _parsed(parse_size, options["memory"], "--memory takes a size")
        if options["cpus"]:
            cpus: Decimal = _parsed(parse_cpus, options["cpus"], "--cpus takes a number")
            team.member_cpus = cpus
        team.save()
        audit.record(
            None,
            "team-create" if created else "policy-change",
            target_kind="team",
            target_id=str(team.pk),
            target_name=team.name,
            team_id=team.pk,
            actor_name="manage.py",
        )
        verb = "created" if created else "updated"
        self.stdout.write(f"team {team.name} {verb} (id {team.pk})")


def _parsed(parse: object, text: str, error: str) -> object:
    try:
        return parse(text)
    except ValueError:
        raise CommandError(f"{error}: {text!r}") from None
