"""Links between the pages of a long list."""

from django import template
from django.template.defaulttags import querystring

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context: template.Context, number: int) -> str:
    """The query string of page ``number`` with the list's filters kept: from ``params`` where the
    page gives them (one pushed over a websocket has no request), else from the request's."""
    params = context.get("params")
    if params is None:
        params = context.request.GET
    return querystring(context, params, page=number)
