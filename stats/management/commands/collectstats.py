import time

from django.conf import settings
from django.core.management.base import BaseCommand

from stats import collector, rollup


class Command(BaseCommand):
    help = (
        "Read every running container on every engine every --interval seconds, keep the "
        "readings with their minute and hour averages, and trim them (or --once: one reading)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=settings.DOCKBOARD_STATS_INTERVAL)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args: object, interval: float, once: bool, **options: object) -> None:
        if once:  # two readings a second apart: CPU and rates are between two
            collecting = collector.Collector()
            collecting.collect()
            time.sleep(1)
            written = collecting.collect()
            rollup.roll_up_now()
            self.stdout.write(f"{written} container readings")
        else:
            collector.run_forever(interval)
