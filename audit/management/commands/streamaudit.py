from django.core.management.base import BaseCommand, CommandError

from audit import sinks, streaming


class Command(BaseCommand):
    help = (
        "Send every audit row to the sinks DOCKBOARD_AUDIT_SYSLOG, DOCKBOARD_AUDIT_FILE and "
        "DOCKBOARD_AUDIT_HTTP configure, in order, and keep sending new ones."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=0.5)

    def handle(self, *args: object, interval: float, **options: object) -> None:
        try:
            configured = sinks.configured()
        except ValueError as error:
            raise CommandError(str(error)) from error
        if not configured:
            raise CommandError("No audit sink is configured (see the README: audit streaming).")
        streaming.run_forever(configured, interval)
