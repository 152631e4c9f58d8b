"""`manage.py invite --team NAME --role member|instructor|viewer [--count N | --csv FILE]`"""

import csv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.models import Membership, Team
from teams import invitations


class Command(BaseCommand):
    help = (
        "Print one-time invitation links into a team (made when missing), one a line; with "
        "--csv, one a row of the file, after the row's first column."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--team", required=True)
        parser.add_argument("--role", required=True, choices=Membership.Role.values)
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--count", type=int, default=1)
        group.add_argument("--csv", type=Path, help="a file whose first column names invitees")
        parser.add_argument(
            "--base-url",
            default=f"http://{settings.DOCKBOARD_BIND}",
            help="where people reach Dockboard (default: http://DOCKBOARD_BIND)",
        )

    def handle(self, *args: object, **options: object) -> None:
        team, _created = Team.objects.get_or_create(name=options["team"])
        base = str(options["base_url"]).rstrip("/")
        if options["csv"]:
            try:
                with options["csv"].open(newline="") as handle:
                    names = [row[0].strip() for row in csv.reader(handle) if row and row[0].strip()]
            except OSError as exc:
                raise CommandError(f"cannot read {options['csv']}: {exc.strerror}") from None
        else:
            if not 0 < options["count"] <= 1000:
                raise CommandError("--count takes a number from 1 to 1000")
            names = [""] * options["count"]
        for name in names:
            token = invitations.issue(team, options["role"], None, note=name)
            link = base + invitations.link_path(token)
            self.stdout.write(f"{name},{link}" if name else link)
