"""The audit log's filters (user, team, action, time), read from the query string alike for the
page and the CSV export."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""
    team: str = ""
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def from_query(cls, query: QueryDict) -> "AuditFilters":
        return cls(
            user=query.get("user", "").strip()[:150],
            team=query.get("team", "").strip()[:64],
            action=query.get("action", "").strip()[:32],
            since=_moment(query.get("since", "")),
            until=_moment(query.get("until", ""), end_of_day=True),
        )

    def apply(self, rows: QuerySet) -> QuerySet:
        if self.user:
            rows = rows.filter(actor_name=self.user)
        if self.team:
            rows = rows.filter(team__name=self.team)
        if self.action:
            rows = rows.filter(action=self.action)
        if self.since:
            rows = rows.filter(created_at__gte=self.since)
        if self.until:
            rows = rows.filter(created_at__lte=self.until)
        return rows


def _moment(text: str, end_of_day: bool = False) -> datetime | None:
    """``2026-11-28`` or ``2026-11-28T10:00``; anything else is no bound."""
    text = text.strip()[:40]
    try:
        day = parse_date(text)
        moment = parse_datetime(text) if day is None else None
    except ValueError:
        return None
    if day is not None:  # a whole day: from its first moment, or to its last
        moment = datetime.combine(day, datetime.max.time() if end_of_day else datetime.min.time())
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
