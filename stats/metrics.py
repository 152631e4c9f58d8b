"""The stats collector's latest readings as Prometheus gauges, for `/metrics`
(``dashboard.interfaces.metrics``): each person's own containers (one engine list call an
engine they use, then one query of that engine's last readings); to administrators, the
engines' gauges too."""

import time

from django.conf import settings
from prometheus_client.core import GaugeMetricFamily, Metric

from dashboard.access.containers import visible_containers
from dashboard.access.roles import User, grants_for
from dashboard.engine import current as engine
from dashboard.engine import registry
from dashboard.engine.errors import EngineError
from dashboard.notation.names import container_name
from stats.models import RAW, ContainerSample, EngineSample

CONTAINER_GAUGES = {
    "cpu": ("dockboard_container_cpu_percent", "CPU used, 100 a CPU, as docker stats shows it."),
    "memory": ("dockboard_container_memory_bytes", "Memory used, less the page cache."),
    "memory_limit": ("dockboard_container_memory_limit_bytes", "The container's memory limit."),
    "net_rx": ("dockboard_container_network_receive_bytes_per_second", "Bytes received a second."),
    "net_tx": ("dockboard_container_network_transmit_bytes_per_second", "Bytes sent a second."),
    "block_read": ("dockboard_container_block_read_bytes_per_second", "Bytes read a second."),
    "block_write": ("dockboard_container_block_write_bytes_per_second", "Bytes written a second."),
    "pids": ("dockboard_container_pids", "Processes in the container."),
}
ENGINE_GAUGES = {
    "cpu": ("dockboard_engine_containers_cpu_percent", "CPU its running containers use."),
    "memory": ("dockboard_engine_containers_memory_bytes", "Memory its running containers use."),
    "memory_total": ("dockboard_engine_memory_bytes", "The engine's memory."),
    "containers": ("dockboard_engine_running_containers", "Containers running on it."),
    "disk": ("dockboard_engine_disk_bytes", "What docker system df counts."),
}


def families(sender: object, user: User, **kwargs: object) -> list[Metric]:
    fresh = int(time.time() - 3 * settings.DOCKBOARD_STATS_INTERVAL)
    gauges = {
        field: GaugeMetricFamily(name, doc, labels=["engine", "id", "name"])
        for field, (name, doc) in CONTAINER_GAUGES.items()
    }
    for name in registry.usable_engines(user):
        with engine.on(name):
            try:
                mine = {c["Id"]: container_name(c) for c in visible_containers(user)}
            except EngineError:  # down: nothing read of it lately either
                continue
        latest = {}
        for row in ContainerSample.objects.filter(engine=name, step=RAW, at__gte=fresh).order_by(
            "at"
        ):
            latest[row.container_id] = row
        for container_id, row in latest.items():
            if container_id in mine:
                for field, gauge in gauges.items():
                    labels = [name, container_id[:12], mine[container_id]]
                    gauge.add_metric(labels, getattr(row, field))
    found: list[Metric] = list(gauges.values())
    if grants_for(user).admin:
        found += _engine_families(fresh)
    return found


def _engine_families(fresh: int) -> list[Metric]:
    up = GaugeMetricFamily(
        "dockboard_engine_up", "1 when the collector read the engine lately.", labels=["engine"]
    )
    gauges = {
        field: GaugeMetricFamily(name, doc, labels=["engine"])
        for field, (name, doc) in ENGINE_GAUGES.items()
    }
    rows = {
        r.engine: r for r in EngineSample.objects.filter(step=RAW, at__gte=fresh).order_by("at")
    }
    for address in registry.every_engine():
        row = rows.get(address.name)
        up.add_metric([address.name], 0 if row is None else 1)
        if row is not None:
            for field, gauge in gauges.items():
                value = getattr(row, field)
                if value is not None:
                    gauge.add_metric([address.name], value)
    return [up, *gauges.values()]
