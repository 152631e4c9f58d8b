"""/audit/: who changed what, when, from where, with the `docker` line; and its CSV export."""

import csv
import itertools
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from audit import stream_status
from audit.filters import AuditFilters
from dashboard.access.audit import visible_audit_events
from dashboard.access.roles import is_administrator
from dashboard.models import AuditEvent
from dashboard.web.paging import page_of
from dashboard.web.spreadsheet import safe_cell

BATCH_LINES = 1000
# The export's columns: (header, the row's field).
COLUMNS = [
    ("time", "created_at"),
    ("actor", "actor_name"),
    ("client_ip", "client_ip"),
    ("team", "team__name"),
    ("action", "action"),
    ("target_kind", "target_kind"),
    ("target_id", "target_id"),
    ("target_name", "target_name"),
    ("command", "command"),
    ("outcome", "outcome"),
    ("reason", "reason"),
]


def _rows(request: HttpRequest) -> tuple[AuditFilters, object]:
    filters = AuditFilters.from_query(request.GET)
    return filters, filters.apply(visible_audit_events(request.user)).select_related("team")


def audit_list(request: HttpRequest) -> HttpResponse:
    filters, rows = _rows(request)
    context = {
        "filters": filters,
        "page": page_of(rows, request.GET.get("page")),
        "actions": AuditEvent.objects.order_by().values_list("action", flat=True).distinct(),
        "streams": stream_status.statuses() if is_administrator(request.user) else [],
    }
    return render(request, "audit/list.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: object) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header for header, _field in COLUMNS)
    fields = [field for _header, field in COLUMNS]
    for values in rows.values_list(*fields).iterator(chunk_size=2000):
        yield writer.writerow([safe_cell(v) for v in values])


async def _batches(lines: Iterator[str]) -> AsyncIterator[str]:
    """Under ASGI a plain iterator would be read whole before the first byte leaves: hand the
    server batches of lines instead, read from the database as they are sent."""
    read = sync_to_async(_batch, thread_sensitive=True)
    while batch := await read(lines):
        yield batch


def _batch(lines: Iterator[str]) -> str:
    return "".join(itertools.islice(lines, BATCH_LINES))


def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered rows as CSV, streamed: memory stays flat however many rows there are."""
    _filters, rows = _rows(request)
    lines = _csv_lines(rows)
    body = _batches(lines) if isinstance(request, ASGIRequest) else lines
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dockboard-audit.csv"'
    return response
