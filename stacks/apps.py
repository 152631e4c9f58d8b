from django.apps import AppConfig


class StacksConfig(AppConfig):
    name = "stacks"

    def ready(self) -> None:
        from stacks import git_polls  # noqa: F401 - the worker's minute
