from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Dockboard"

    def ready(self) -> None:
        from django.tasks.signals import task_enqueued

        from dashboard import (  # noqa: F401 - connect their receivers
            quotas,  # the ledger's hourly reconcile
            sessions,  # logout ends terminals
        )
        from dashboard.worker_wake import nudge_on_commit

        task_enqueued.connect(nudge_on_commit, dispatch_uid="dockboard-nudge-workers")
