"""/audit/: who changed what, when, from where, with the `docker` line; and its CSV export."""

import csv
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from audit.filters import AuditFilters
from dashboard.access import visible_audit_events
from dashboard.models import AuditEvent

PAGE_SIZE = 100
COLUMNS = [
    "time",
    "actor",
    "client_ip",
    "team",
    "action",
    "target_kind",
    "target_id",
    "target_name",
    "command",
    "outcome",
    "reason",
]


def _rows(request: HttpRequest) -> tuple[AuditFilters, object]:
    filters = AuditFilters.from_query(request.GET)
    return filters, filters.apply(visible_audit_events(request.user)).select_related("team")


def audit_list(request: HttpRequest) -> HttpResponse:
    filters, rows = _rows(request)
    context = {
        "filters": filters,
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "actions": AuditEvent.objects.order_by().values_list("action", flat=True).distinct(),
    }
    return render(request, "audit/list.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: object) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    fields = (
        "created_at",
        "actor_name",
        "client_ip",
        "team__name",
        "action",
        "target_kind",
        "target_id",
        "target_name",
        "command",
        "outcome",
        "reason",
    )
    for values in rows.values_list(*fields).iterator(chunk_size=2000):
        yield writer.writerow([_cell(v) for v in values])


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula is quoted with a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered rows as CSV, streamed: memory stays flat however many rows there are."""
    _filters, rows = _rows(request)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dockboard-audit.csv"'
    return response
