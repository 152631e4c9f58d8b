"""Lab sessions by state, for `/metrics` (``dashboard.interfaces.metrics``): administrators'."""

from django.db.models import Count, Q
from prometheus_client.core import GaugeMetricFamily, Metric

from dashboard.access.roles import User, grants_for
from labs.models import LabSession


def families(sender: object, user: User, **kwargs: object) -> list[Metric]:
    if not grants_for(user).admin:
        return []
    sessions = GaugeMetricFamily(
        "dockboard_lab_sessions", "Lab sessions by state (warm ones have no learner yet).",
        labels=["state", "warm"],
    )  # fmt: skip
    counted = (
        LabSession.objects.filter(state__in=LabSession.ACTIVE)
        .values("state")
        .annotate(n=Count("id"), warm=Count("id", filter=Q(learner=None)))
        .order_by()
    )
    for row in counted:
        sessions.add_metric([row["state"], "yes"], row["warm"])
        sessions.add_metric([row["state"], "no"], row["n"] - row["warm"])
    return [sessions]
