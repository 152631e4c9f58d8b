"""One sample of `docker stats`, computed as the Engine API documentation says: from a reading
that holds the one before (``precpu_stats``), or from a one-shot reading and the caller's own
earlier one (the stats collector's, which reads every few seconds anyway)."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StatsSample:
    cpu_percent: float
    memory_used: int
    memory_limit: int
    network_rx: int
    network_tx: int
    block_read: int
    block_write: int
    pids: int

    @property
    def memory_percent(self) -> float:
        return self.memory_used * 100 / self.memory_limit if self.memory_limit else 0.0


def cpu_percent(cpu: dict[str, Any], pre: dict[str, Any]) -> float:
    """The CPU used between two ``cpu_stats`` readings, 100 a CPU as `docker stats` shows it."""
    cpu_delta = (cpu.get("cpu_usage") or {}).get("total_usage", 0) - (
        pre.get("cpu_usage") or {}
    ).get("total_usage", 0)
    system_delta = cpu.get("system_cpu_usage", 0) - pre.get("system_cpu_usage", 0)
    cpus = (
        cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage") or []) or 1
    )
    if cpu_delta <= 0 or system_delta <= 0:
        return 0.0
    return cpu_delta / system_delta * cpus * 100.0


def _memory_used(memory: dict[str, Any]) -> int:
    """Usage less the page cache: ``cache`` on cgroup v1, ``inactive_file`` on v2."""
    details = memory.get("stats") or {}
    cache = details.get("cache", details.get("inactive_file", 0))
    return max(memory.get("usage", 0) - cache, 0)


def sample(stats: dict[str, Any], earlier_cpu: dict[str, Any] | None = None) -> StatsSample:
    """``earlier_cpu``: the ``cpu_stats`` of an earlier reading, for a one-shot one (whose
    ``precpu_stats`` are empty)."""
    cpu = stats.get("cpu_stats") or {}
    pre = earlier_cpu if earlier_cpu is not None else stats.get("precpu_stats") or {}
    memory = stats.get("memory_stats") or {}
    networks = (stats.get("networks") or {}).values()
    io = (stats.get("blkio_stats") or {}).get("io_service_bytes_recursive") or []
    return StatsSample(
        cpu_percent=cpu_percent(cpu, pre),
        memory_used=_memory_used(memory),
        memory_limit=memory.get("limit", 0),
        network_rx=sum(n.get("rx_bytes", 0) for n in networks),
        network_tx=sum(n.get("tx_bytes", 0) for n in networks),
        block_read=sum(e.get("value", 0) for e in io if e.get("op", "").lower() == "read"),
        block_write=sum(e.get("value", 0) for e in io if e.get("op", "").lower() == "write"),
        pids=(stats.get("pids_stats") or {}).get("current", 0),
    )
