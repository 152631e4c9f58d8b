"""The stats collector: every interval, one reading of every running container on every engine,
written as one row each, and a row for each engine.

Readings are one-shot (the engine does not wait for a second one), all of an engine's asked at
once (``dashboard.engine.stats_reads``); CPU and the I/O rates come from this reading and the
collector's own one before. So a container's first row comes one interval after it is first
seen, and a container restarted or an engine down between two readings starts again from there.
An engine that does not answer writes nothing: its charts show a gap.
"""

import logging
import time
from dataclasses import dataclass
from typing import Any

from dashboard.engine import containers as engine_containers
from dashboard.engine import current as engine
from dashboard.engine import registry, stats_reads
from dashboard.engine import system as engine_system
from dashboard.engine.errors import EngineError
from dashboard.notation.docker_stats import StatsSample, sample
from dashboard.notation.names import container_name
from dashboard.ops import leases
from stats import alerting, lease, rollup
from stats.models import RAW, ContainerSample, EngineSample

log = logging.getLogger(__name__)
DISK_SECONDS = 300.0  # `docker system df` walks every layer and volume: not every interval
INFO_SECONDS = 600.0


@dataclass(frozen=True)
class Reading:
    at: float
    cpu: dict[str, Any]  # the reading's cpu_stats, for the next one's CPU
    sample: StatsSample


@dataclass
class EngineFacts:
    cpus: int = 1
    memory_total: int = 0
    disk: int | None = None
    root_dir: str = ""
    filesystem: tuple[int, int] | None = None  # used and usable bytes, read each pass
    info_at: float = float("-inf")
    disk_at: float = float("-inf")


def _rate(now: int, before: int, seconds: float) -> float:
    """Bytes a second between two counter readings; a counter that went back (the container
    restarted) starts again."""
    return max(now - before, 0) / seconds if seconds > 0 else 0.0


def _disk(usage: dict[str, Any]) -> int:
    """`docker system df`'s total: image layers, containers' writable layers, volumes."""
    containers = sum(c.get("SizeRw") or 0 for c in usage.get("Containers") or [])
    volumes = sum(
        max((v.get("UsageData") or {}).get("Size") or 0, 0) for v in usage.get("Volumes") or []
    )
    return (usage.get("LayersSize") or 0) + containers + volumes


class Collector:
    def __init__(self, watcher: alerting.Watcher | None = None) -> None:
        self.readings: dict[tuple[str, str], Reading] = {}
        self.facts: dict[str, EngineFacts] = {}
        self.watcher = watcher or alerting.Watcher()

    def collect(self) -> int:
        """One pass over every engine, then the alert rules on what it read; the number of
        container rows written."""
        running: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        facts: dict[str, EngineFacts] = {}
        answered = {}
        for address in registry.every_engine():
            with engine.on(address.name):
                try:
                    listed = engine_containers.list_running_containers()
                    facts[address.name] = self._facts(address.name)
                except EngineError:  # down: a gap, and readings start again once it answers
                    self._forget(address.name, keep=set())
                    answered[address.name] = False
                    continue
            running[address.name] = [c["Id"] for c in listed]
            names.update((c["Id"], container_name(c)) for c in listed)
        readings = stats_reads.stats_now(running)  # those stopped since the list are left out
        now = time.time()
        written, seen = 0, []
        for name, ids in running.items():
            answered[name] = name in readings
            if name not in readings:  # down since it listed
                self._forget(name, keep=set())
                continue
            rows = [self._row(name, c, stats, now) for c, stats in readings[name].items()]
            rows = [row for row in rows if row is not None]
            written += self._write(name, rows, ids, now, facts[name])
            seen += [_seen(row, names.get(row.container_id, "")) for row in rows]
        filesystems = {name: f.filesystem for name, f in facts.items() if f.filesystem}
        self.watcher.after_pass(answered, seen, now, filesystems)
        return written

    def _write(
        self, name: str, rows: list[ContainerSample], ids: list[str], now: float, facts: EngineFacts
    ) -> int:
        self._forget(name, keep=set(ids))
        ContainerSample.objects.bulk_create(rows, batch_size=500)
        EngineSample.objects.create(
            engine=name,
            step=RAW,
            at=int(now),
            cpu=sum(r.cpu for r in rows),
            cpus=facts.cpus,
            memory=sum(r.memory for r in rows),
            memory_total=facts.memory_total,
            containers=len(ids),
            disk=facts.disk,
            filesystem_used=facts.filesystem[0] if facts.filesystem else None,
            filesystem_size=facts.filesystem[1] if facts.filesystem else None,
        )
        return len(rows)

    def _row(
        self, name: str, container_id: str, stats: dict[str, Any], now: float
    ) -> ContainerSample | None:
        key = (name, container_id)
        before = self.readings.get(key)
        current = sample(stats, earlier_cpu=before.cpu if before else {})
        self.readings[key] = Reading(now, stats.get("cpu_stats") or {}, current)
        if before is None:
            return None  # CPU and rates need the reading before
        seconds = now - before.at
        last = before.sample
        return ContainerSample(
            engine=name,
            container_id=container_id,
            step=RAW,
            at=int(now),
            cpu=current.cpu_percent,
            memory=current.memory_used,
            memory_limit=current.memory_limit,
            net_rx=_rate(current.network_rx, last.network_rx, seconds),
            net_tx=_rate(current.network_tx, last.network_tx, seconds),
            block_read=_rate(current.block_read, last.block_read, seconds),
            block_write=_rate(current.block_write, last.block_write, seconds),
            pids=current.pids,
        )

    def _facts(self, name: str) -> EngineFacts:
        """The engine's size (`docker info`, every 10 minutes) and disk use (`docker system
        df`, every 5): a failed df keeps the last figure."""
        facts = self.facts.setdefault(name, EngineFacts())
        now = time.monotonic()
        if now - facts.info_at >= INFO_SECONDS:
            info = engine_system.info()
            facts.cpus, facts.memory_total = info.get("NCPU") or 1, info.get("MemTotal") or 0
            facts.root_dir = info.get("DockerRootDir") or ""
            facts.info_at = now
        facts.filesystem = engine_system.data_filesystem(facts.root_dir)
        if now - facts.disk_at >= DISK_SECONDS:
            facts.disk_at = now
            try:
                facts.disk = _disk(engine_system.disk_usage())
            except EngineError as exc:
                log.warning("docker system df on %s failed: %s", name, exc)
        return facts

    def _forget(self, name: str, keep: set[str]) -> None:
        for key in [k for k in self.readings if k[0] == name and k[1] not in keep]:
            del self.readings[key]


def _seen(row: ContainerSample, name: str) -> alerting.Reading:
    limit = row.memory_limit
    memory_percent = row.memory * 100 / limit if limit else 0.0
    return alerting.Reading(row.engine, row.container_id, name, row.cpu, memory_percent)


def run_forever(interval: float) -> None:
    """Collect every ``interval`` seconds (a pass that overruns skips the ticks it missed), and
    roll up and trim the rows once a minute; alert on engine events meanwhile. All of it only
    while this process holds the collector's lease (``stats.lease``)."""
    collector = Collector()
    events = alerting.EventFollower(collector.watcher)
    events.start()
    holder = leases.holder_name()
    next_pass = time.monotonic()
    rolled = float("-inf")
    while True:
        try:
            events.active = lease.held(holder, 3 * interval + 10)
            if events.active:
                events.follow_engines()
                collector.collect()
                if time.monotonic() - rolled >= 60:
                    rolled = time.monotonic()
                    rollup.roll_up_now()
            else:  # another collects: what this one read is stale by the time it takes over
                collector.readings.clear()
        except Exception:  # the database went away, …: log, and try again next time
            log.exception("stats collection failed")
        next_pass += interval
        now = time.monotonic()
        if next_pass < now:
            next_pass = now + interval - (now - next_pass) % interval
        time.sleep(next_pass - now)
