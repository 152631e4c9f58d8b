from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dockerapi import tokens


class Command(BaseCommand):
    help = "Make a personal access token for the Engine API endpoint; it is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=tokens.DEFAULT_DAYS)
        parser.add_argument("--team", default="", help="the team its containers belong to")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args: object, **options: object) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None or not user.is_active:
            raise CommandError(f"No active user {options['username']!r}.")
        try:
            _token, secret = tokens.issue(
                user, options["name"], days=options["days"], team_name=options["team"]
            )
        except tokens.TokenError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(secret)
