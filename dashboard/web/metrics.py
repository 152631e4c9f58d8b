"""`/metrics`, in Prometheus' text format: off unless ``DOCKBOARD_METRICS`` is on, and only with
a personal access token (``Authorization: Bearer …``, as the Engine API endpoint takes it).

What a token shows is what its person may see: a member, their containers' gauges (the stats
collector's latest readings); an administrator, every container's, the engines', and
Dockboard's own counters (requests, open terminals, pulls, gate refusals, the task queue) and
those the apps add (``dashboard.interfaces.metrics``).
"""

from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from dashboard.access.roles import User, grants_for
from dashboard.interfaces import bearer_tokens
from dashboard.interfaces.metrics import metric_families
from dashboard.ops.metrics import process_registry


class Scoped(Collector):
    """The families the apps answer for this person, read at scrape time."""

    def __init__(self, user: User) -> None:
        self.user = user

    def collect(self) -> Iterator[Metric]:
        for _receiver, families in metric_families.send(sender=Scoped, user=self.user):
            yield from families or []
        if grants_for(self.user).admin:
            yield _task_queue()


def _task_queue() -> GaugeMetricFamily:
    family = GaugeMetricFamily(
        "dockboard_tasks", "Background tasks (pulls, lab launches) by status.", labels=["status"]
    )
    for row in DBTaskResult.objects.values("status").annotate(n=Count("id")).order_by():
        family.add_metric([row["status"]], row["n"])
    return family


def _bearer_user(request: HttpRequest) -> User | None:
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    return bearer_tokens.user_for(secret.strip()) if scheme.lower() == "bearer" else None


@login_not_required  # a scraper has no session: it brings a token
@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.DOCKBOARD_METRICS:
        raise Http404("metrics are off")
    user = _bearer_user(request)
    if user is None:
        response = HttpResponse("A personal access token is needed.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="dockboard"'
        response["Content-Type"] = "text/plain; charset=utf-8"
        return response
    scoped = CollectorRegistry()
    scoped.register(Scoped(user))
    body = generate_latest(scoped)
    if grants_for(user).admin:
        body = generate_latest(process_registry()) + body
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
