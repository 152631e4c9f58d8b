"""A running job's heartbeat, beaten by a thread of its own while the engine is silent: a job
whose worker died stops beating and shows as interrupted. On the user's cancel it closes the
engine's answer, which ends a pull or a push as Ctrl+C does."""

import threading

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from images.models import HEARTBEAT_SECONDS


class Heartbeat(threading.Thread):
    def __init__(self, job: QuerySet, response: object) -> None:
        """``job``: a queryset of the one job; ``response``: the engine's open answer."""
        super().__init__(name="job-heartbeat", daemon=True)
        self.job, self.response = job, response
        self.stopped = threading.Event()
        self.cancelled = False

    def run(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_SECONDS):
                self.job.update(heartbeat_at=timezone.now())
                if self.job.filter(cancel_requested=True).exists():
                    self.cancelled = True
                    self.response.close()
                    return
        finally:
            connection.close()
