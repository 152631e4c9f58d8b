"""One page of a long list: every list page shows at most PAGE_SIZE rows, with links to the rest."""

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 100


def page_of(rows: Sequence[Any], number: str | None) -> Page:
    """The page ``number`` asks for (the last one when past the end, the first when garbled)."""
    return Paginator(rows, PAGE_SIZE).get_page(number)


def named_page(request: HttpRequest, objects: list[dict[str, Any]]) -> tuple[Page, str]:
    """A list of named engine objects (volumes, networks) as its page shows it: those whose
    ``Name`` holds the filter (``q``, any case), by name, the page asked for; and the filter as
    typed."""
    query = request.GET.get("q", "").strip()
    found = sorted(
        (o for o in objects if query.lower() in o["Name"].lower()), key=lambda o: o["Name"]
    )
    return page_of(found, request.GET.get("page")), query
