"""The collector's lease (``CollectorLease``, ``dashboard.ops.leases``): one collector runs."""

from dashboard.ops import leases
from stats.models import CollectorLease

NAME = "stats"


def held(holder: str, seconds: float) -> bool:
    return leases.held(CollectorLease, holder, seconds, name=NAME)
