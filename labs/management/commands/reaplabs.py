from django.core.management.base import BaseCommand

from labs import reaper


class Command(BaseCommand):
    help = (
        "End lab sessions past their time, stop idle ones and remove lab objects no active "
        "session owns; every --interval seconds (or --once)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=5.0)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args: object, interval: float, once: bool, **options: object) -> None:
        if once:
            reaper.reap()
        else:
            reaper.run_forever(interval)
