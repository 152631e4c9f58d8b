from django.apps import AppConfig


class SignonConfig(AppConfig):
    name = "signon"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from signon import checks, directory_sync  # noqa: F401 - start-up checks, the re-check
