"""Dockboard's own counters, kept by every process (the web server's, the task workers') and
summed at scrape time: prometheus-client's multiprocess mode, in the directory
``PROMETHEUS_MULTIPROC_DIR`` that `manage.py rundashboard` makes for its processes. Without it
(tests, `manage.py runserver`), the one process's own.

The scrape itself is ``dashboard.web.metrics``; what the database knows (lab sessions, the
task queue) and the collector's samples are read there, at scrape time.
"""

import os
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess

REQUESTS = Counter(
    "dockboard_http_requests_total", "HTTP requests answered, by method and status class.",
    ["method", "status"],
)  # fmt: skip
REQUEST_SECONDS = Histogram(
    "dockboard_http_request_duration_seconds", "Time to answer an HTTP request (server side).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)  # fmt: skip
OPEN_TERMINALS = Gauge(
    "dockboard_open_terminals", "Terminal websockets open now.", multiprocess_mode="livesum"
)
PULLS = Counter("dockboard_pulls_total", "Image pulls run by the task worker, by outcome.",
                ["outcome"])  # fmt: skip
GATE_REFUSALS = Counter(
    "dockboard_gate_refusals_total", "Requests the policy gate refused, by action.", ["action"]
)
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def process_registry() -> CollectorRegistry:
    """The counters of every process of this installation (multiprocess mode), or of this one."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        began = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"  # a bounded label
        REQUESTS.labels(method, f"{response.status_code // 100}xx").inc()
        REQUEST_SECONDS.observe(time.perf_counter() - began)
        return response
