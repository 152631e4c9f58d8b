"""Numbers as the docker CLI prints them."""

import json

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

_DECIMAL_UNITS = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]


@register.filter
def docker_size(size: int | float | None) -> str:
    """Decimal units with four significant digits, like the CLI's ``units.HumanSize``."""
    if size is None:
        return ""
    value = float(size)
    unit = 0
    while value >= 1000.0 and unit < len(_DECIMAL_UNITS) - 1:
        value /= 1000.0
        unit += 1
    return f"{value:.4g}{_DECIMAL_UNITS[unit]}"


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
