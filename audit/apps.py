from django.apps import AppConfig
from django.conf import settings


class AuditConfig(AppConfig):
    name = "audit"

    @property
    def background_commands(self) -> dict[str, list[str]]:
        """The streamer runs beside the server (`manage.py rundashboard`) when a sink is set."""
        wanted = (
            settings.DOCKBOARD_AUDIT_SYSLOG
            or settings.DOCKBOARD_AUDIT_FILE
            or settings.DOCKBOARD_AUDIT_HTTP
        )
        return {"audit streamer": ["streamaudit"]} if wanted else {}

    def ready(self) -> None:
        from audit import receivers  # noqa: F401 - sign-ins, lockouts and retention
