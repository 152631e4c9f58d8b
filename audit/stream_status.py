"""How far each configured sink has got, for the audit log's page (administrators)."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings

from audit.models import AuditCursor
from dashboard.models import AuditEvent


@dataclass(frozen=True)
class SinkStatus:
    name: str
    target: str  # where it goes, without what may be secret in a URL
    behind: int  # kept rows it has not confirmed
    failing_since: datetime | None
    last_error: str


def _shown(target: str) -> str:
    parts = urlsplit(target)
    if not parts.scheme:
        return target  # a file
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"


def statuses() -> list[SinkStatus]:
    targets = {
        "syslog": settings.DOCKBOARD_AUDIT_SYSLOG,
        "file": settings.DOCKBOARD_AUDIT_FILE,
        "http": settings.DOCKBOARD_AUDIT_HTTP,
    }
    cursors = {c.sink: c for c in AuditCursor.objects.filter(sink__in=targets)}
    shown = []
    for name, target in targets.items():
        if not target:
            continue
        cursor = cursors.get(name)
        delivered = cursor.delivered_id if cursor else 0
        shown.append(
            SinkStatus(
                name=name,
                target=_shown(target),
                behind=AuditEvent.objects.filter(pk__gt=delivered).count(),
                failing_since=cursor and cursor.failing_since,
                last_error=cursor.last_error if cursor else "",
            )
        )
    return shown
