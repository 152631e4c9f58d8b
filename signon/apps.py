from django.apps import AppConfig


class SignonConfig(AppConfig):
    name = "signon"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from signon import checks  # noqa: F401 - registers the start-up checks
