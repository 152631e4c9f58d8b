from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csp import csp_override

from containers.listing import STATE_FILTERS, container_rows
from dashboard.access import access_container, visible_containers


def container_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state")
    if state not in STATE_FILTERS:
        state = None
    rows = container_rows(visible_containers(request.user), state)
    return render(request, "containers/list.html", {"rows": rows, "state": state})


@csp_override({**settings.SECURE_CSP, "style-src": ["'self'", "'unsafe-inline'"]})
def container_terminal(request: HttpRequest, ref: str) -> HttpResponse:
    """xterm.js attached to the container (or a new shell in it); xterm.js needs inline styles."""
    container = access_container(request.user, ref)
    return render(request, "containers/terminal.html", {"c": container})


def container_detail(request: HttpRequest, ref: str) -> HttpResponse:
    container = access_container(request.user, ref)
    return render(request, "containers/detail.html", {"c": container})
