from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from dashboard.ops import worker_wake
from dashboard.ops.housekeeping import Schedule, every_minute


class Command(BaseCommand):
    help = (
        "Run queued tasks (image pulls) the moment they are queued; between tasks, poll the "
        "database every --interval seconds in case a nudge was missed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--interval", type=float, default=settings.DOCKBOARD_WORKER_INTERVAL,
            help="seconds between looks for tasks when no nudge comes (default: %(default)s)",
        )  # fmt: skip

    def handle(self, *args: object, interval: float, **options: object) -> None:
        # django-tasks-db's worker in batch mode runs every ready task and returns; waiting for
        # the next one is ours, so that a nudge can end the wait.
        worker = Worker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME], excluded_queue_names=[],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS, worker_id=get_random_string(32),
            interval=0, batch=True, startup_delay=False, max_tasks=None,
        )  # fmt: skip
        worker.configure_signals()  # SIGTERM: finish the running task, then stop
        if "pool" not in connection.settings_dict["OPTIONS"]:
            # One long-lived thread: keep its connection (checked before reuse) rather than log
            # in for every task; with PostgreSQL the pool keeps it instead.
            connection.settings_dict.update(CONN_MAX_AGE=None, CONN_HEALTH_CHECKS=True)
        schedules = [Schedule(), Schedule(60, every_minute)]
        with worker_wake.listen() as wait:
            while worker.running:
                worker.run()
                for schedule in schedules:
                    schedule.run_if_due()
                if worker.running:
                    wait(interval)
