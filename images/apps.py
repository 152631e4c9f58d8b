from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "images"

    def ready(self) -> None:
        from dashboard.interfaces import pulls
        from images import updates  # noqa: F401 - its hourly check
        from images.pulls import request_pull

        pulls.provide(request_pull)
