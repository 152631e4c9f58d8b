"""One page of a long list: every list page shows at most PAGE_SIZE rows, with links to the rest."""

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator

PAGE_SIZE = 100


def page_of(rows: Sequence[Any], number: str | None) -> Page:
    """The page ``number`` asks for (the last one when past the end, the first when garbled)."""
    return Paginator(rows, PAGE_SIZE).get_page(number)
