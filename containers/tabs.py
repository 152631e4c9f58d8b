"""The detail page's tabs: each gathers what one tab shows, with the engine calls it needs."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from containers import logs
from dashboard.engine import containers as engine_containers
from dashboard.engine import errors as engine_errors
from dashboard.notation import docker_stats

CHANGE_KINDS = {0: "C", 1: "A", 2: "D"}


def logs_tab(request: HttpRequest, container: dict[str, Any]) -> dict[str, Any]:
    tail = logs.parse_tail(request.GET.get("tail"))
    after = request.GET.get("after", "")
    following = request.GET.get("follow") == "on" and bool(after)
    # A follow update brings at most FOLLOW_LINES lines a second: a page cannot draw 20,000 a
    # second, and the tab would cost a megabyte a second. Those skipped are in "Download all".
    wanted = min(tail, logs.FOLLOW_LINES) if following else tail
    try:
        lines = logs.read_lines(container, wanted, after=after)
    except (
        engine_errors.NotSupported
    ):  # `--log-driver none`, syslog, ...: nothing kept to read back
        return {"tail": tail, "unread_by": container["HostConfig"]["LogConfig"]["Type"]}
    query = request.GET.get("q", "").strip()
    if query:
        lines = [line for line in lines if query.lower() in line.text.lower()]
    return {
        "lines": lines,
        "tail": tail,
        "query": query,
        "timestamps": request.GET.get("timestamps") == "on",
        "follow": request.GET.get("follow") == "on",
        "last": lines[-1].timestamp if lines else after,
        "skipped": following and len(lines) >= logs.FOLLOW_LINES,
    }


def stats_tab(request: HttpRequest, container: dict[str, Any]) -> dict[str, Any]:
    if not container["State"].get("Running"):
        return {"sample": None}
    return {"sample": docker_stats.sample(engine_containers.container_stats(container["Id"]))}


def processes_tab(request: HttpRequest, container: dict[str, Any]) -> dict[str, Any]:
    if not container["State"].get("Running"):
        return {"top": None}
    return {"top": engine_containers.container_processes(container["Id"])}


def changes_tab(request: HttpRequest, container: dict[str, Any]) -> dict[str, Any]:
    changes = engine_containers.container_changes(container["Id"])
    return {
        "changes": sorted(
            ({"kind": CHANGE_KINDS.get(c["Kind"], "?"), "path": c["Path"]} for c in changes),
            key=lambda c: c["path"],
        )
    }


def inspect_tab(request: HttpRequest, container: dict[str, Any]) -> dict[str, Any]:
    return {}


TABS: dict[str, Callable[[HttpRequest, dict[str, Any]], dict[str, Any]]] = {
    "logs": logs_tab,
    "stats": stats_tab,
    "processes": processes_tab,
    "changes": changes_tab,
    "inspect": inspect_tab,
}
