from django.apps import AppConfig


class ContainersConfig(AppConfig):
    name = "containers"

    def ready(self) -> None:
        from containers import signals  # noqa: F401 - connects the run-after-pull receiver
