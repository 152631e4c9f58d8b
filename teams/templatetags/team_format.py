"""Limits as people set them: CPU counts (sizes: docker_format.binary_size)."""

from django import template

from dashboard.notation.units import format_cpus

register = template.Library()


@register.filter
def cpus(nano: int) -> str:
    return format_cpus(nano or 0)
