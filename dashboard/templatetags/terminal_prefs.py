from django import template

from dashboard.terminal.preferences import screen_reader_for

register = template.Library()


@register.simple_tag(takes_context=True)
def screen_reader_mode(context: template.Context) -> bool:
    return screen_reader_for(context["request"].user)
