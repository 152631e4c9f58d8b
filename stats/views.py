"""Stats pages: every running container the user may see, `docker stats` for the whole engine;
a container's charts; the engine's charts (administrators: they sum everyone's containers)."""

import time

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from dashboard.access.containers import access_container
from dashboard.access.roles import grants_for
from dashboard.engine import current as engine
from stats import list_page, series
from stats.charts import CONTAINER_CHARTS, ENGINE_CHARTS, summary_rows
from stats.series import WINDOWS


def stats_list(request: HttpRequest) -> HttpResponse:
    """`docker stats` for every running container the user may see. The page's websocket
    (``stats.live``) receives the table again after each collector pass; while it is down, the
    table reloads itself every interval (``hx-get`` on its own URL)."""
    context = {
        **list_page.table_context(request.user, request.GET),
        "interval_ms": int(settings.DOCKBOARD_STATS_INTERVAL * 1000),
    }
    template = "stats/list.html#table" if request.htmx else "stats/list.html"
    return render(request, template, context)


def _window(request: HttpRequest) -> series.Window:
    return WINDOWS.get(request.GET.get("window", ""), WINDOWS["1h"])


def container_charts(request: HttpRequest, ref: str) -> HttpResponse:
    container = access_container(request.user, ref)
    window = _window(request)
    data = series.container_series(engine.current_name(), container["Id"], window, int(time.time()))
    context = {
        "c": container,
        "name": container["Name"].lstrip("/"),
        "window": window,
        "windows": WINDOWS.values(),
        "data": data,
        "charts": CONTAINER_CHARTS,
        "summary_rows": summary_rows(CONTAINER_CHARTS, data),
    }
    return render(request, "stats/container.html", context)


def engine_charts(request: HttpRequest) -> HttpResponse:
    if not grants_for(request.user).admin:  # everyone's containers: as the engines page
        raise Http404(_("No such page."))
    window = _window(request)
    data = series.engine_series(engine.current_name(), window, int(time.time()))
    context = {
        "engine_name": engine.current_name(),
        "window": window,
        "windows": WINDOWS.values(),
        "data": data,
        "charts": ENGINE_CHARTS,
        "summary_rows": summary_rows(ENGINE_CHARTS, data),
    }
    return render(request, "stats/engine.html", context)
