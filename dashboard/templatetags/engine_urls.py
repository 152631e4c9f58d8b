"""Links to pages of no engine (teams, users, audit, engines), from any engine's page."""

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()


@register.simple_tag
def global_url(name: str, *args: object) -> str:
    path = reverse(name, args=args)
    prefix = get_script_prefix()
    return "/" + path.removeprefix(prefix) if path.startswith(prefix) else path
