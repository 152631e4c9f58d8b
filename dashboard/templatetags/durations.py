"""Durations as a clock reads them, the same as the session page's countdown (static/js/lab.js):
2438 seconds are ``40:38``."""

from django import template

register = template.Library()


@register.filter
def clock(seconds: int | float | None) -> str:
    """Minutes and seconds (``m:ss``); an hour and more stays in minutes, like the countdown."""
    if seconds is None:
        return ""
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"
