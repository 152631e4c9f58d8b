from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from containers.listing import STATE_FILTERS, container_rows
from dashboard.access import access_container, visible_containers


def container_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state")
    if state not in STATE_FILTERS:
        state = None
    rows = container_rows(visible_containers(request.user), state)
    return render(request, "containers/list.html", {"rows": rows, "state": state})


def container_detail(request: HttpRequest, ref: str) -> HttpResponse:
    container = access_container(request.user, ref)
    return render(request, "containers/detail.html", {"c": container})
