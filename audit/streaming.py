"""Streaming the audit log: every row, in order, to each configured sink, at least once.

The database stays the record. Each sink has a cursor (``AuditCursor``): the last row it has
confirmed. The streamer sends the rows after it in batches; a sink that is down is retried with
backoff (1 s doubling to a minute) and receives everything once it is back. Rows are read by
id, and an id still missing (a transaction that has not committed yet) holds the rows after it
back for up to ``GAP_SECONDS``; after that it is taken as rolled back.
"""

import logging
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from audit.models import AuditCursor
from audit.records import as_record
from audit.sink import Sink, SinkDown
from dashboard.models import AuditEvent
from dashboard.ops import leases

logger = logging.getLogger(__name__)

BATCH = 500
GAP_SECONDS = 30
LEASE_SECONDS = 30
FIRST_RETRY_SECONDS = 1
LONGEST_RETRY_SECONDS = 60


@dataclass
class Delivery:
    """One sink's progress in this process."""

    sink: Sink
    sent_id: int | None = None  # the last row sent, confirmed or not (None: read the cursor)
    # (last row of a send, when it was sent), oldest first, not yet confirmed
    unconfirmed: deque = field(default_factory=deque)
    failures: int = 0
    retry_at: float = 0.0


def _deliverable(rows: list[AuditEvent], after_id: int) -> list[AuditEvent]:
    """The rows up to the first young gap in their ids (a new sink starts at the first row)."""
    young = timezone.now() - timedelta(seconds=GAP_SECONDS)
    expected, kept = after_id + 1, []
    for row in rows:
        if after_id and row.pk != expected and row.created_at > young:
            break
        kept.append(row)
        expected = row.pk + 1
    return kept


def _cursor(delivery: Delivery) -> AuditCursor:
    return AuditCursor.objects.get(sink=delivery.sink.name)


def _confirm(delivery: Delivery, now: float) -> None:
    confirmed = None
    while (
        delivery.unconfirmed and delivery.unconfirmed[0][1] <= now - delivery.sink.confirm_seconds
    ):
        confirmed = delivery.unconfirmed.popleft()[0]
    if confirmed is not None:
        AuditCursor.objects.filter(sink=delivery.sink.name, delivered_id__lt=confirmed).update(
            delivered_id=confirmed
        )


def _failed(delivery: Delivery, error: SinkDown) -> None:
    delivery.failures += 1
    wait = min(FIRST_RETRY_SECONDS * 2 ** (delivery.failures - 1), LONGEST_RETRY_SECONDS)
    delivery.retry_at = time.monotonic() + wait
    delivery.sent_id, delivery.unconfirmed = None, deque()  # resend what was not confirmed
    cursor = AuditCursor.objects.filter(sink=delivery.sink.name)
    cursor.update(last_error=str(error)[:2000])
    cursor.filter(failing_since=None).update(failing_since=timezone.now())
    logger.warning("audit stream: %s (again in %d s)", error, wait)


def step(delivery: Delivery, holder: str) -> int:
    """Send the next batch, if the sink is due and this process holds its cursor: the number of
    rows sent."""
    now = time.monotonic()
    if now < delivery.retry_at or not leases.held(
        AuditCursor, holder, LEASE_SECONDS, sink=delivery.sink.name
    ):
        return 0
    if delivery.sink.lost():
        delivery.sent_id, delivery.unconfirmed = None, deque()
    _confirm(delivery, now)
    if delivery.sent_id is None:
        delivery.sent_id = _cursor(delivery).delivered_id
    rows = AuditEvent.objects.filter(pk__gt=delivery.sent_id).select_related("team")
    batch = _deliverable(list(rows.order_by("pk")[:BATCH]), delivery.sent_id)
    if not batch:
        return 0
    try:
        delivery.sink.send([as_record(row) for row in batch])
    except SinkDown as error:
        _failed(delivery, error)
        return 0
    delivery.sent_id = batch[-1].pk
    delivery.unconfirmed.append((delivery.sent_id, now))
    _confirm(delivery, now)
    if delivery.failures:
        delivery.failures = 0
        AuditCursor.objects.filter(sink=delivery.sink.name).update(
            failing_since=None, last_error=""
        )
    return len(batch)


def run_forever(sinks: list[Sink], interval: float = 0.5) -> None:
    """Stream until stopped: a full batch is followed at once by the next."""
    holder = leases.holder_name()
    deliveries = [Delivery(sink) for sink in sinks]
    try:
        while True:
            sent = sum(step(delivery, holder) for delivery in deliveries)
            if sent < BATCH:
                time.sleep(interval)
    finally:
        for delivery in deliveries:
            delivery.sink.close()
