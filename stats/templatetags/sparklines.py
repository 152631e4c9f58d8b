"""A sparkline: a small inline SVG line of a container's last minutes, with its range in words
for those who cannot see it."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from dashboard.templatetags.docker_format import binary_size

register = template.Library()
WIDTH, HEIGHT = 96, 20


@register.simple_tag
def sparkline(points: list[tuple], index: int, what: str, unit: str = "%") -> str:
    """``points``: (time, value, …) rows, oldest first; ``index``: the value's place in them.
    CPU is drawn against 100 % (or its highest, above), memory against its own highest."""
    values = [(row[0], row[index]) for row in points if row[index] is not None]
    if len(values) < 2:
        return ""
    first, last = values[0][0], values[-1][0]
    top = max(max(v for _t, v in values), 100.0 if unit == "%" else 1.0)
    span = max(last - first, 1)
    line = " ".join(
        f"{(t - first) * WIDTH / span:.1f},{HEIGHT - v * (HEIGHT - 2) / top - 1:.1f}"
        for t, v in values
    )
    low, high = min(v for _t, v in values), max(v for _t, v in values)
    label = _("%(what)s over the last minutes: from %(low)s to %(high)s") % {
        "what": what,
        "low": _shown(low, unit),
        "high": _shown(high, unit),
    }
    return format_html(
        '<svg class="sparkline" role="img" aria-label="{}" viewBox="0 0 {} {}" width="{}" '
        'height="{}" preserveAspectRatio="none"><polyline points="{}"/></svg>',
        label, WIDTH, HEIGHT, WIDTH, HEIGHT, line,
    )  # fmt: skip


def _shown(value: float, unit: str) -> str:
    return f"{value:.1f}%" if unit == "%" else binary_size(value)
