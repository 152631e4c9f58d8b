"""How container facts read on the page."""

import shlex
from datetime import UTC, datetime
from typing import Any

from django import template
from django.utils.safestring import SafeString

from containers.ansi import ansi_to_html
from dashboard.templatetags.docker_format import binary_size

register = template.Library()


@register.filter
def engine_time(value: str) -> datetime | None:
    """The engine's RFC 3339 timestamps (nanoseconds, zero year for never) as datetimes."""
    if not value or value.startswith("0001-"):
        return None
    seconds, _, fraction = value.rstrip("Z").partition(".")
    micro = fraction[:6].ljust(6, "0") if fraction else "000000"
    return datetime.fromisoformat(f"{seconds}.{micro}+00:00")


@register.filter
def command_line(container: dict[str, Any]) -> str:
    return shlex.join([container.get("Path", ""), *(container.get("Args") or [])])


@register.filter
def port_lines(container: dict[str, Any]) -> list[str]:
    bindings = (container.get("NetworkSettings") or {}).get("Ports") or {}
    lines = []
    for inside, outside in sorted(bindings.items()):
        for binding in outside or [{}]:
            host = f"{binding.get('HostIp', '')}:{binding['HostPort']} → " if binding else ""
            lines.append(f"{host}{inside}")
    return lines


@register.filter
def binary_size_or_unlimited(size: int) -> str:
    return binary_size(size) if size else "—"


@register.filter
def nano_cpus(value: int) -> str:
    return f"{value / 1e9:g}" if value else "—"


@register.filter
def ansi(text: str) -> SafeString:
    return ansi_to_html(text)


@register.filter
def unix_time(value: int) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)
