"""Numbers as people read them on Dockboard's pages: sizes, JSON, ids, sort links."""

import json

from django import template
from django.utils.safestring import mark_safe

from dashboard.notation.units import format_size

register = template.Library()


@register.filter
def binary_size(size: int | float | None) -> str:
    """Binary units throughout, as limits are set and `docker stats` shows memory: 256 MiB,
    never the 268.4MB that decimal units make of it."""
    if size is None:
        return ""
    return format_size(int(size))


@register.filter
def pretty_json(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True)


@register.filter
def short_id(value: str) -> str:
    """The 12 hex digits the CLI shows of a 64-hex id (with or without ``sha256:``)."""
    return value.removeprefix("sha256:")[:12]


@register.filter
def aria_sort(sort: str, column: str) -> str:
    """The ``aria-sort`` attribute of a list's column header, on the column it is sorted by."""
    if sort == column:
        return mark_safe(' aria-sort="ascending"')
    if sort == f"-{column}":
        return mark_safe(' aria-sort="descending"')
    return ""


@register.filter
def next_sort(sort: str, column: str) -> str:
    """What a column header's link sorts by: the other way when the list is sorted by that
    column, else the column's first way (``-created``: newest first)."""
    name = column.lstrip("-")
    if sort == name:
        return f"-{name}"
    if sort == f"-{name}":
        return name
    return column
