"""Stats pages: every running container the user may see, `docker stats` for the whole engine;
a container's charts; the engine's charts (administrators: they sum everyone's containers)."""

import time

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from dashboard.access.containers import access_container, visible_containers
from dashboard.access.roles import grants_for
from dashboard.engine import current as engine
from dashboard.notation.names import container_name
from stats import series
from stats.charts import CONTAINER_CHARTS, ENGINE_CHARTS, summary_rows
from stats.series import WINDOWS

SORTS = {
    "name": lambda row: row["name"].lower(),
    "cpu": lambda row: row["sample"].cpu if row["sample"] else -1.0,
    "memory": lambda row: row["sample"].memory if row["sample"] else -1,
    "net": lambda row: row["sample"].net_rx + row["sample"].net_tx if row["sample"] else -1.0,
    "block": lambda row: (
        row["sample"].block_read + row["sample"].block_write if row["sample"] else -1.0
    ),
    "pids": lambda row: row["sample"].pids if row["sample"] else -1,
}


def stats_list(request: HttpRequest) -> HttpResponse:
    """`docker stats` for every running container the user may see: the collector's latest
    reading of each, with the last minutes as sparklines. The table reloads itself every
    collection (``hx-get`` on its own URL)."""
    running = [c for c in visible_containers(request.user) if c.get("State") == "running"]
    now = int(time.time())
    latest, spark = series.recent(engine.current_name(), {c["Id"] for c in running}, now)
    rows = [
        {
            "id": c["Id"],
            "name": container_name(c),
            "image": c.get("Image", ""),
            "sample": latest.get(c["Id"]),
            "spark": spark.get(c["Id"], []),
        }
        for c in running
    ]
    sort = request.GET.get("sort", "-cpu")
    key = SORTS.get(sort.lstrip("-"), SORTS["cpu"])
    rows.sort(key=key, reverse=sort.startswith("-"))
    context = {
        "rows": rows,
        "sort": sort,
        "params": request.GET,
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
