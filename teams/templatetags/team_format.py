"""Limits as people set them: binary sizes and CPU counts."""

from django import template

from dashboard.notation.units import format_cpus, format_size

register = template.Library()


@register.filter
def binary_size(size: int) -> str:
    return format_size(size or 0)


@register.filter
def cpus(nano: int) -> str:
    return format_cpus(nano or 0)
