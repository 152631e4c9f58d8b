"""The overview's figures: engine facts, object counts, and disk usage as `docker system df`."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from dashboard.engine import current as engine
from dashboard.engine import images as engine_images
from dashboard.engine import system as engine_system

ACTIVE_CONTAINER_STATES = {"running", "paused", "restarting"}


@dataclass(frozen=True)
class DiskUsageRow:
    kind: str
    total: int
    active: int
    size: int
    reclaimable: int
    list_url_name: str | None = None

    @property
    def reclaimable_percent(self) -> int | None:
        return self.reclaimable * 100 // self.size if self.size > 0 else None


def _known(size: int | None) -> int:
    return size if size is not None and size >= 0 else 0


def disk_usage_rows(df: dict[str, Any]) -> list[DiskUsageRow]:
    """The four rows of `docker system df`, computed from the engine's /system/df answer."""
    images = df.get("Images") or []
    active_images = [i for i in images if i.get("Containers", 0) > 0]
    layers_size = _known(df.get("LayersSize"))
    used_by_active = sum(
        i["Size"] - i["SharedSize"]
        for i in active_images
        if i.get("Size", -1) != -1 and i.get("SharedSize", -1) != -1
    )

    containers = df.get("Containers") or []
    active_containers = [c for c in containers if c.get("State") in ACTIVE_CONTAINER_STATES]
    containers_size = sum(_known(c.get("SizeRw")) for c in containers)

    volumes = df.get("Volumes") or []
    usage = [v.get("UsageData") or {} for v in volumes]

    cache = df.get("BuildCache") or []
    return [
        DiskUsageRow(
            _("Images"),
            len(images),
            len(active_images),
            layers_size,
            max(layers_size - used_by_active, 0),
            "images:list",
        ),
        DiskUsageRow(
            _("Containers"),
            len(containers),
            len(active_containers),
            containers_size,
            containers_size - sum(_known(c.get("SizeRw")) for c in active_containers),
            "containers:list",
        ),
        DiskUsageRow(
            _("Local volumes"),
            len(volumes),
            sum(1 for u in usage if _known(u.get("RefCount")) > 0),
            sum(_known(u.get("Size")) for u in usage),
            sum(_known(u.get("Size")) for u in usage if _known(u.get("RefCount")) == 0),
        ),
        DiskUsageRow(
            _("Build cache"),
            len(cache),
            sum(1 for b in cache if b.get("InUse")),
            sum(_known(b.get("Size")) for b in cache),
            sum(_known(b.get("Size")) for b in cache if not b.get("InUse") and not b.get("Shared")),
        ),
    ]


def collect_overview(admin: bool, visible: Callable[[], list[dict[str, Any]]]) -> dict[str, Any]:
    """Administrators: the engine's own counts and `docker system df` (three engine calls).
    Everyone else: the counts of the containers they may see (``visible``), and no disk usage,
    which would tell them of everyone's objects."""
    version = engine_system.version()
    info = engine_system.info()
    context = {"version": version, "info": info, "docker_host": engine.docker_host()}
    if admin:
        rows = disk_usage_rows(engine_system.disk_usage())
        context["counts"] = {**_engine_counts(info), "images": rows[0].total}
        context["disk_usage"] = rows
        return context
    context["counts"] = {**_visible_counts(visible()), "images": len(engine_images.list_images())}
    return context


def container_counts(admin: bool, visible: Callable[[], list[dict[str, Any]]]) -> dict[str, int]:
    """The containers by state, as the overview counts them (one engine call)."""
    return _engine_counts(engine_system.info()) if admin else _visible_counts(visible())


def _engine_counts(info: dict[str, Any]) -> dict[str, int]:
    return {
        "running": info["ContainersRunning"],
        "paused": info["ContainersPaused"],
        "stopped": info["ContainersStopped"],
    }


def _visible_counts(summaries: list[dict[str, Any]]) -> dict[str, int]:
    states = [summary.get("State") for summary in summaries]
    return {
        "running": sum(s in ("running", "restarting") for s in states),
        "paused": states.count("paused"),
        "stopped": sum(s in ("created", "exited", "dead") for s in states),
    }
