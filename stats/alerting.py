"""Alert rules at work, in the stats collector's process.

Engine events fire at once (a reader of each engine's event stream, ``dashboard.engine.events``):
a container died (exited with an error, not stopped), was killed for want of memory, became
unhealthy, or died three times in five minutes. The collector's readings fire after each pass:
CPU or memory above a threshold for N minutes, an engine that has not answered for N minutes,
an engine's data file system fuller than a threshold for N minutes.

A rule fires once for a container until the condition ends (one open alert, kept by a unique
constraint), then the alert is resolved. Each firing and resolution is queued for delivery
(``stats.alert_delivery``) to the rule's addresses and webhook.
"""

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.engine import registry
from dashboard.engine.events import reader
from dashboard.models import OwnershipRecord
from dashboard.notation.units import format_size
from stats import alert_delivery
from stats.models import Alert, AlertRule

log = logging.getLogger(__name__)
Kind = AlertRule.Kind
LOOP_SECONDS = 5 * 60  # three deaths in this long: a restart loop
LOOP_DEATHS = 3
STOP_SECONDS = 15.0  # a death this soon after a SIGTERM was a `docker stop`


@dataclass(frozen=True)
class Reading:
    """A running container as one pass read it."""

    engine: str
    container_id: str
    name: str
    cpu: float
    memory_percent: float


def _owners(engine: str, container_ids: list[str]) -> dict[str, tuple[int | None, int | None]]:
    """Each container's (team, owner) by its ownership record; none for those it has none."""
    rows = OwnershipRecord.objects.filter(
        engine=engine, kind=OwnershipRecord.Kind.CONTAINER, object_id__in=container_ids
    ).values_list("object_id", "team_id", "owner_id")
    return {object_id: (team, owner) for object_id, team, owner in rows}


def _watches(rule: AlertRule, owner: tuple[int | None, int | None] | None) -> bool:
    """A team's rule watches the team's containers; a rule of no team, every container."""
    return rule.team_id is None or (owner is not None and owner[0] == rule.team_id)


def fire(rule: AlertRule, engine: str, container_id: str, name: str, owner_id: int | None,
         message: str) -> Alert | None:  # fmt: skip
    """Open an alert, unless one is open for this rule and container already."""
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=rule, engine=engine, container_id=container_id, container_name=name,
                owner_id=owner_id, message=message,
            )  # fmt: skip
            alert_delivery.queue(alert, "fired")
    except IntegrityError:  # open already: said once
        return None
    return alert


def resolve(rules: list[AlertRule], engine: str, container_id: str, resolution: str) -> None:
    open_alerts = Alert.objects.filter(
        rule__in=rules, engine=engine, container_id=container_id, resolved_at=None
    ).select_related("rule")
    for alert in open_alerts:
        with transaction.atomic():
            alert.resolved_at = timezone.now()
            alert.resolution = resolution
            alert.save(update_fields=["resolved_at", "resolution"])
            alert_delivery.queue(alert, "resolved")


class Watcher:
    """What the rules need to remember between readings and events: since when each container
    has been above each threshold, since when each engine has been down or its disk full,
    recent deaths."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.above: dict[tuple[int, str, str], float] = {}
        self.down_since: dict[str, float] = {}
        self.filling: dict[tuple[int, str], float] = {}  # (rule, engine): disk above since
        self.deaths: dict[tuple[str, str], deque[float]] = {}
        self.stopping: dict[tuple[str, str], float] = {}

    def rules(self, *kinds: str) -> list[AlertRule]:
        return list(AlertRule.objects.filter(enabled=True, kind__in=kinds))

    # The collector's passes.

    def after_pass(
        self,
        answered: dict[str, bool],
        readings: list[Reading],
        now: float,
        filesystems: dict[str, tuple[int, int]] | None = None,
    ) -> None:
        """After a pass: which engines answered, the running containers it read, and the used
        and usable bytes of the engines' data file systems it could see."""
        self._engines(answered, now)
        self._disks(filesystems or {}, now)
        self._thresholds(readings, now)
        self._quiet_loops(now)

    def _engines(self, answered: dict[str, bool], now: float) -> None:
        rules = self.rules(Kind.ENGINE_DOWN)
        for engine, up in answered.items():
            if up:
                self.down_since.pop(engine, None)
                resolve(rules, engine, "", _("The engine answers again."))
                continue
            since = self.down_since.setdefault(engine, now)
            for rule in rules:
                if rule.team_id is None and now - since >= rule.minutes * 60:
                    message = _("Engine %(engine)s has not answered for %(minutes)s minutes.")
                    values = {"engine": engine, "minutes": rule.minutes}
                    fire(rule, engine, "", "", None, message % values)

    def _disks(self, filesystems: dict[str, tuple[int, int]], now: float) -> None:
        rules = [rule for rule in self.rules(Kind.DISK) if rule.team_id is None]
        for rule in rules:
            for engine, (used, size) in filesystems.items():
                percent = used * 100 / size if size else 0.0
                key = (rule.pk, engine)
                if percent < rule.threshold:
                    if self.filling.pop(key, None) is not None:
                        below = _("It is below the threshold again.")
                        resolve([rule], engine, "", below)
                    continue
                since = self.filling.setdefault(key, now)
                if now - since >= rule.minutes * 60:
                    message = _(
                        "Engine %(engine)s's disk is %(percent)d%% full (%(used)s of %(size)s) "
                        "for %(minutes)s minutes."
                    )
                    values = {"engine": engine, "percent": percent, "minutes": rule.minutes,
                              "used": format_size(used), "size": format_size(size)}  # fmt: skip
                    fire(rule, engine, "", "", None, message % values)

    def _thresholds(self, readings: list[Reading], now: float) -> None:
        rules = self.rules(Kind.CPU, Kind.MEMORY)
        if not rules:
            return
        owners: dict[str, dict] = {}
        for engine in {r.engine for r in readings}:
            ids = [r.container_id for r in readings if r.engine == engine]
            owners[engine] = _owners(engine, ids)
        seen = set()
        for rule in rules:
            for reading in readings:
                owner = owners[reading.engine].get(reading.container_id)
                if not _watches(rule, owner):
                    continue
                key = (rule.pk, reading.engine, reading.container_id)
                seen.add(key)
                value = reading.cpu if rule.kind == Kind.CPU else reading.memory_percent
                if value < rule.threshold:
                    if self.above.pop(key, None) is not None:
                        below = _("It is below the threshold again.")
                        resolve([rule], reading.engine, reading.container_id, below)
                    continue
                since = self.above.setdefault(key, now)
                if now - since >= rule.minutes * 60:
                    owner_id = owner[1] if owner else None
                    message = _threshold_message(rule, reading)
                    fire(
                        rule, reading.engine, reading.container_id, reading.name, owner_id, message
                    )
        for key in [k for k in self.above if k not in seen]:  # stopped, or out of the scope
            del self.above[key]

    def _quiet_loops(self, now: float) -> None:
        with self.lock:
            quiet = [k for k, times in self.deaths.items() if now - times[-1] > LOOP_SECONDS]
            for key in quiet:
                del self.deaths[key]
        if quiet:
            rules = self.rules(Kind.RESTARTING)
            for engine, container_id in quiet:
                resolve(rules, engine, container_id, _("It has not died for 5 minutes."))

    # Engine events.

    def on_event(self, engine: str, event: dict[str, Any]) -> None:
        if event.get("Type") != "container":
            return
        action = event.get("Action") or ""
        actor = event.get("Actor") or {}
        container_id = actor.get("ID") or event.get("id") or ""
        attributes = actor.get("Attributes") or {}
        name = attributes.get("name", container_id[:12])
        key, at = (engine, container_id), float(event.get("time") or time.time())
        if action == "kill" and attributes.get("signal") == "15":
            with self.lock:
                self.stopping[key] = at
            return
        if action in ("start", "destroy"):
            with self.lock:
                self.stopping.pop(key, None)
            how = _("It runs again.") if action == "start" else _("It was removed.")
            resolve(self.rules(Kind.DIED, Kind.OOM), engine, container_id, how)
            if action == "destroy":
                resolve(self.rules(Kind.UNHEALTHY, Kind.RESTARTING), engine, container_id, how)
            return
        if action == "health_status: healthy":
            resolve(self.rules(Kind.UNHEALTHY), engine, container_id, _("It is healthy again."))
            return
        found = self._fired_by(action, key, at, attributes.get("exitCode", ""))
        if found:
            owner = _owners(engine, [container_id]).get(container_id)
            values = {"name": name, "engine": engine, "code": attributes.get("exitCode", "")}
            for kind, message in found:
                for rule in self.rules(kind):
                    if _watches(rule, owner):
                        fire(rule, engine, container_id, name, owner and owner[1], message % values)

    def _fired_by(
        self, action: str, key: tuple[str, str], at: float, code: str
    ) -> list[tuple[str, str]]:
        """The kinds of rule an event fires, each with its message."""
        if action == "oom":
            return [(Kind.OOM, _("%(name)s on %(engine)s was killed for want of memory."))]
        if action == "health_status: unhealthy":
            return [(Kind.UNHEALTHY, _("%(name)s on %(engine)s is unhealthy."))]
        if action != "die":
            return []
        with self.lock:
            deaths = self.deaths.setdefault(key, deque(maxlen=LOOP_DEATHS))
            deaths.append(at)
            looping = len(deaths) == LOOP_DEATHS and at - deaths[0] <= LOOP_SECONDS
            stopped = at - self.stopping.pop(key, float("-inf")) <= STOP_SECONDS
        found = []
        if code not in ("", "0") and not stopped:
            found.append((Kind.DIED, _("%(name)s on %(engine)s died: exit code %(code)s.")))
        if looping:
            found.append((Kind.RESTARTING, _("%(name)s on %(engine)s died 3 times in 5 minutes.")))
        return found


def _threshold_message(rule: AlertRule, reading: Reading) -> str:
    values = {"name": reading.name, "engine": reading.engine, "threshold": rule.threshold,
              "minutes": rule.minutes}  # fmt: skip
    if rule.kind == Kind.CPU:
        return (
            _(
                "%(name)s on %(engine)s has used over %(threshold)s%% of a CPU for %(minutes)s "
                "minutes."
            )
            % values
        )
    return (
        _(
            "%(name)s on %(engine)s has used over %(threshold)s%% of its memory limit for "
            "%(minutes)s minutes."
        )
        % values
    )


class EventFollower:
    """Follows every engine's events (subscribing to engines added later on the next look) and
    hands them to the watcher in a thread of its own, which also delivers what is due."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher
        self.events: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.unsubscribe: dict[str, Callable[[], None]] = {}
        self.running = False
        self.active = True  # False while another process holds the collector's lease
        self.thread: threading.Thread | None = None

    def follow_engines(self) -> None:
        """Subscribe to engines not followed yet (called every pass)."""
        for address in registry.every_engine():
            if address.name not in self.unsubscribe:
                name = address.name
                self.unsubscribe[name] = reader(name).subscribe(
                    lambda event, name=name: self.events.put((name, event)), time.time()
                )

    def start(self) -> None:
        self.running = True
        self.follow_engines()
        self.thread = threading.Thread(target=self._run, name="alerts", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.running = False
        for unsubscribe in self.unsubscribe.values():
            unsubscribe()
        self.unsubscribe.clear()
        if self.thread is not None:
            self.thread.join(timeout=10)

    def _run(self) -> None:
        while self.running:
            try:
                engine, event = self.events.get(timeout=0.5)
            except queue.Empty:
                engine = None
            if not self.active:  # another collector tells
                continue
            try:
                if engine is not None:
                    self.watcher.on_event(engine, event)
                alert_delivery.deliver_due()
            except Exception:  # the database went away, …: log, and go on with the next
                log.exception("alerts failed")
            finally:
                close_old_connections()
