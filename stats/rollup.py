"""Downsampling and retention: the readings of each finished minute become one row a container
and an engine (averages; the limits and process counts at their highest), the minutes of each
finished hour one more; then rows older than their resolution keeps are deleted.

Each pass starts after the last bucket it wrote, so a pass missed (the collector was stopped)
is made up by the next, as far back as the finer rows are kept.
"""

import time

from django.conf import settings
from django.db import models, transaction
from django.db.models import Avg, F, Max

from stats.models import HOUR, MINUTE, RAW, ContainerSample, EngineSample

AVERAGED = {
    ContainerSample: (
        ("engine", "container_id"),
        ["cpu", "memory", "net_rx", "net_tx", "block_read", "block_write"],
        ["memory_limit", "pids"],
    ),
    EngineSample: (
        ("engine",),
        ["cpu", "memory", "containers"],
        ["cpus", "memory_total", "disk", "filesystem_used", "filesystem_size"],
    ),
}
INTEGERS = {"memory", "memory_limit", "pids", "containers", "cpus", "memory_total", "disk",
            "filesystem_used", "filesystem_size"}  # fmt: skip


def roll_up_now() -> None:
    roll_up(int(time.time()))


def roll_up(now: int) -> None:
    for model in AVERAGED:
        _roll(model, RAW, MINUTE, now)
        _roll(model, MINUTE, HOUR, now)
    kept = {
        RAW: settings.DOCKBOARD_STATS_RAW_HOURS * 3600,
        MINUTE: settings.DOCKBOARD_STATS_MINUTE_HOURS * 3600,
        HOUR: settings.DOCKBOARD_STATS_HOUR_DAYS * 86400,
    }
    for model in AVERAGED:
        for step, seconds in kept.items():
            model.objects.filter(step=step, at__lt=now - seconds).delete()


def _roll(model: type[models.Model], source: int, target: int, now: int) -> None:
    keys, averaged, highest = AVERAGED[model]
    last = model.objects.filter(step=target).aggregate(last=Max("at"))["last"]
    start = last + target if last is not None else None
    end = now // target * target  # buckets wholly past
    rows = model.objects.filter(step=source, at__lt=end)
    if start is not None:
        rows = rows.filter(at__gte=start)
    buckets = (
        rows.annotate(bucket=F("at") / target * target)
        .values(*keys, "bucket")
        .annotate(**{f: Avg(f) for f in averaged}, **{f: Max(f) for f in highest})
        .order_by()
    )
    made = [
        model(
            step=target,
            at=bucket.pop("bucket"),
            **{k: _value(k, v) for k, v in bucket.items()},
        )
        for bucket in buckets
    ]
    with transaction.atomic():
        model.objects.bulk_create(made, batch_size=500)


def _value(field: str, value: object) -> object:
    return round(value) if field in INTEGERS and value is not None else value
