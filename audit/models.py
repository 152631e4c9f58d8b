from django.db import models


class AuditCursor(models.Model):
    """How far the audit log has reached one sink (syslog, a file, an HTTP endpoint): the rows
    after ``delivered_id`` are sent next. The streamer that holds the row's lease sends; the
    database stays the record, so a sink that is down only falls behind."""

    sink = models.CharField(max_length=16, primary_key=True)
    delivered_id = models.BigIntegerField(default=0)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()
    failing_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.sink}: row {self.delivered_id}"
