"""What the pages read: a container's or an engine's series over a window, with its gaps, the
latest row of each container, and the recent CPU of each for the sparklines."""

import time
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from stats.models import HOUR, MINUTE, RAW, ContainerSample, EngineSample


@dataclass(frozen=True)
class Window:
    key: str
    label: str
    seconds: int
    step: int


WINDOWS = {
    w.key: w
    for w in (
        Window("15m", _("15 minutes"), 900, RAW),
        Window("1h", _("1 hour"), 3600, RAW),
        Window("24h", _("24 hours"), 86400, MINUTE),
        Window("7d", _("7 days"), 7 * 86400, HOUR),
    )
}
SPARK_SECONDS = 300
CONTAINER_FIELDS = ["cpu", "memory", "memory_limit", "net_rx", "net_tx", "block_read",
                    "block_write", "pids"]  # fmt: skip
ENGINE_FIELDS = ["cpu", "cpus", "memory", "memory_total", "containers", "disk", "filesystem_used",
                 "filesystem_size"]  # fmt: skip


def seconds_between(step: int) -> float:
    return settings.DOCKBOARD_STATS_INTERVAL if step == RAW else float(step)


def with_gaps(rows: list[tuple], step: int) -> list[tuple]:
    """``rows`` (time first), with a row of nothing where readings are missing: more than two
    and a half steps without one. Charts draw a gap there, not a line across it."""
    most = seconds_between(step) * 2.5
    shown: list[tuple] = []
    for row in rows:
        if shown and row[0] - shown[-1][0] > most:
            shown.append((shown[-1][0] + int(seconds_between(step)),) + (None,) * (len(row) - 1))
        shown.append(row)
    return shown


def columns(rows: list[tuple], names: list[str]) -> dict[str, list]:
    """Rows as the chart takes them: one list a column, time first."""
    return {name: [row[i] for row in rows] for i, name in enumerate(["t", *names])}


def container_series(engine: str, container_id: str, window: Window, now: int) -> dict:
    rows = ContainerSample.objects.filter(
        engine=engine, container_id=container_id, step=window.step, at__gte=now - window.seconds
    ).order_by("at")
    return columns(
        with_gaps(list(rows.values_list("at", *CONTAINER_FIELDS)), window.step), CONTAINER_FIELDS
    )


def engine_series(engine: str, window: Window, now: int) -> dict:
    rows = EngineSample.objects.filter(
        engine=engine, step=window.step, at__gte=now - window.seconds
    ).order_by("at")
    return columns(
        with_gaps(list(rows.values_list("at", *ENGINE_FIELDS)), window.step), ENGINE_FIELDS
    )


def points(engine: str, container_ids: set[str], seconds: int) -> dict[str, list]:
    """(time, CPU, memory) readings of the last ``seconds`` of each of ``container_ids``, for
    ``dashboard.interfaces.container_stats``: one query."""
    found: dict[str, list] = defaultdict(list)
    rows = ContainerSample.objects.filter(
        engine=engine, step=RAW, container_id__in=container_ids, at__gte=time.time() - seconds
    ).order_by("at")
    for container_id, at, cpu, memory in rows.values_list("container_id", "at", "cpu", "memory"):
        found[container_id].append((at, cpu, memory))
    return found


def recent(engine: str, container_ids: set[str], now: int) -> tuple[dict, dict[str, list]]:
    """The latest row of each of ``container_ids`` in the last few minutes, and each one's CPU
    and memory readings over them (for the sparklines): one query of the engine's recent rows."""
    latest: dict[str, ContainerSample] = {}
    spark: dict[str, list] = defaultdict(list)
    rows = ContainerSample.objects.filter(
        engine=engine, step=RAW, at__gte=now - SPARK_SECONDS
    ).order_by("at")
    for row in rows.only("container_id", "at", *CONTAINER_FIELDS).iterator(chunk_size=2000):
        if row.container_id in container_ids:
            latest[row.container_id] = row
            spark[row.container_id].append((row.at, row.cpu, row.memory))
    return latest, spark
