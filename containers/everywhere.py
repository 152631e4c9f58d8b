"""The containers of every engine the user works on, asked of all engines at once."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from containers.listing import container_rows, normalise_sort
from dashboard.access.containers import visible_containers
from dashboard.engine import fanout
from dashboard.engine import registry as engines

TIMEOUT_SECONDS = 5.0  # an engine slower than this is reported, not waited for


def container_list_everywhere(request: HttpRequest) -> HttpResponse:
    names = engines.usable_engines(request.user)
    user = request.user
    answers = fanout.on_each(names, lambda: visible_containers(user), TIMEOUT_SECONDS)
    sort = normalise_sort(request.GET.get("sort"))
    rows = [
        (answer.engine, row)
        for answer in answers
        if answer.value is not None
        for row in container_rows(answer.value, sort=sort)
    ]
    context = {"rows": rows, "down": [a for a in answers if a.error], "engines": names}
    return render(request, "containers/everywhere.html", context)
