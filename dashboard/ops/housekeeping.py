"""Periodic upkeep run by the task worker (`manage.py taskworker`), never by page views:
receivers of ``housekeeping`` (e.g. the audit log's retention) run at most once an hour, those
of ``every_minute`` (e.g. the Git stacks' polls) at most once a minute."""

import logging
import time

from django.dispatch import Signal

INTERVAL_SECONDS = 3600.0
housekeeping = Signal()
every_minute = Signal()
log = logging.getLogger(__name__)


class Schedule:
    def __init__(self, interval: float = INTERVAL_SECONDS, signal: Signal = housekeeping) -> None:
        self.interval, self.signal = interval, signal
        self.last = float("-inf")

    def run_if_due(self) -> None:
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        for receiver, error in self.signal.send_robust(sender=Schedule):
            if isinstance(error, Exception):
                log.warning("housekeeping by %s failed: %r", receiver.__qualname__, error)
