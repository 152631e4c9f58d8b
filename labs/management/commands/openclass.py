from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from dashboard.models import Team
from labs import actions
from labs.models import Lab


class Command(BaseCommand):
    help = "Open a class of a lab for a team; prints its roster URL (a path, on Dockboard)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--team", required=True, help="the team's name")
        parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
        parser.add_argument("--minutes", type=int)
        parser.add_argument("--idle-minutes", type=int)
        parser.add_argument("--engine", default="local")
        parser.add_argument("--join-code", action="store_true", help="learners need a code")

    def handle(self, *args: object, slug: str, team: str, param: list[str], **options: object):
        lab = Lab.objects.filter(slug=slug).first()
        if lab is None or lab.latest() is None:
            raise CommandError(f"no lab {slug!r}; import it with `manage.py importlab FILE`")
        found = Team.objects.filter(name=team).first()
        if found is None:
            raise CommandError(f"no team {team!r}")
        values = {}
        for pair in param:
            key, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"--param takes KEY=VALUE, not {pair!r}")
            values[key] = value
        try:
            lab_class = actions.open_class(
                None, lab.latest(), found, values,
                minutes=options["minutes"], idle_minutes=options["idle_minutes"],
                join_code=actions.new_join_code() if options["join_code"] else "",
                engine_name=str(options["engine"]),
            )  # fmt: skip
        except actions.LabError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(reverse("labs:roster", args=[lab_class.pk]))
