from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Dockboard"

    def ready(self) -> None:
        from django.tasks.signals import task_enqueued

        from dashboard.live import sessions  # noqa: F401 - logout ends terminals
        from dashboard.ops import backup  # noqa: F401 - the scheduled backups
        from dashboard.ops.worker_wake import nudge_on_commit
        from dashboard.policy import (
            adoption,  # noqa: F401 - the release before's objects
            quotas,  # noqa: F401 - the ledger's hourly reconcile
        )

        task_enqueued.connect(nudge_on_commit, dispatch_uid="dockboard-nudge-workers")
