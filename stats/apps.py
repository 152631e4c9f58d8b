from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "Stats"
    # Run beside the web server and the task worker by `manage.py rundashboard`.
    background_commands = {"stats collector": ["collectstats"]}

    def ready(self) -> None:
        from dashboard.interfaces import container_stats
        from dashboard.interfaces.metrics import metric_families
        from stats import metrics, series

        metric_families.connect(metrics.families, dispatch_uid="stats.metrics")
        container_stats.provide(series.points)
