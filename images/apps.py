from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "images"

    def ready(self) -> None:
        from dashboard.interfaces import pulls
        from images import builds, pushes, updates  # noqa: F401 - their hourly upkeep
        from images.pulls import request_pull

        pulls.provide(request_pull)
