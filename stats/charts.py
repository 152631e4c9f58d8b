"""What the chart pages draw: the measures of a container and of an engine, each with its label
and unit, and the charts they are drawn in."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Measure:
    key: str
    label: str | Promise
    unit: str  # "%", "bytes", "bytes/s" or "" (a count)


@dataclass(frozen=True)
class Chart:
    title: str | Promise
    measures: tuple[Measure, ...]

    @property
    def fields(self) -> str:
        return ",".join(m.key for m in self.measures)

    @property
    def labels(self) -> str:
        return "|".join(str(m.label) for m in self.measures)

    @property
    def unit(self) -> str:
        return self.measures[0].unit


CPU = Measure("cpu", _("CPU"), "%")
MEMORY = Measure("memory", _("Memory"), "bytes")
CONTAINER_CHARTS = (
    Chart(_("CPU (percent of one CPU)"), (CPU,)),
    Chart(_("Memory"), (MEMORY, Measure("memory_limit", _("Memory limit"), "bytes"))),
    Chart(
        _("Network"),
        (Measure("net_rx", _("Received"), "bytes/s"), Measure("net_tx", _("Sent"), "bytes/s")),
    ),
    Chart(
        _("Disk I/O"),
        (
            Measure("block_read", _("Read"), "bytes/s"),
            Measure("block_write", _("Written"), "bytes/s"),
        ),
    ),
    Chart(_("Processes"), (Measure("pids", _("Processes"), ""),)),
)
ENGINE_CHARTS = (
    Chart(_("CPU of its containers (percent of one CPU)"), (CPU,)),
    Chart(
        _("Memory of its containers"),
        (MEMORY, Measure("memory_total", _("The engine's memory"), "bytes")),
    ),
    Chart(_("Running containers"), (Measure("containers", _("Running containers"), ""),)),
    Chart(
        _("Disk"),
        (
            Measure("disk", _("Disk used"), "bytes"),
            Measure("filesystem_used", _("Its file system, used"), "bytes"),
            Measure("filesystem_size", _("Its file system, size"), "bytes"),
        ),
    ),
)


def summary_rows(charts: tuple[Chart, ...], data: dict[str, list]) -> list[dict]:
    """Each measure's latest, average and highest value over the window: the charts' text
    alternative."""
    rows = []
    for measure in (m for chart in charts for m in chart.measures):
        values = [v for v in data[measure.key] if v is not None]
        shown = [values[-1], sum(values) / len(values), max(values)] if values else [None] * 3
        rows.append({"key": measure.key, "label": measure.label, "unit": measure.unit,
                     "values": shown})  # fmt: skip
    return rows
