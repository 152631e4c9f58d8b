"""The reaper: ends sessions past their time, stops idle ones, removes whatever carries a
lab label but belongs to no active session (after a restart, a crash, a deleted record), and
keeps the classes' warm pools (``pool.fill``). A warm session is active: never an orphan.

It touches this installation's lab objects alone (``runtime.lab_objects``: by the ownership
record, or this installation's id on an object whose record is lost), never another
installation's, whose session ids repeat ours. Every pass is idempotent, so several reapers
may run at once.
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.engine import current as engine
from dashboard.engine.errors import EngineError
from dashboard.policy import labels
from labs import pool, runtime
from labs.models import LabClass, LabSession

log = logging.getLogger(__name__)


def reap() -> None:
    now = timezone.now()
    due = LabSession.objects.filter(state__in=LabSession.ACTIVE).filter(
        Q(expires_at__lte=now)
        | Q(lab_class__ends_at__lte=now)
        | Q(lab_class__ended_at__isnull=False)
    )
    # Ended here in one update; their objects go with the sweep below, one engine listing for
    # all of them, however many expired at once.
    LabSession.objects.filter(pk__in=list(due.values_list("pk", flat=True))).update(
        state=LabSession.State.EXPIRED, ended_at=now, progress=""
    )
    _fail_abandoned_launches(now)
    for session in LabSession.objects.filter(
        state=LabSession.State.RUNNING, lab_class__idle_minutes__gt=0, learner__isnull=False
    ).select_related("lab_class"):
        if session.idle_deadline() <= now:
            _quietly(_stop_idle, session)
    engines = {*LabClass.objects.values_list("engine", flat=True).distinct()}
    engines |= {*LabSession.objects.values_list("engine", flat=True).distinct()}
    for name in sorted(engines):
        with engine.on(name):
            _quietly(_remove_orphans, now)
    _quietly(pool.fill, now)


def _fail_abandoned_launches(now: datetime) -> None:
    """Sessions whose worker stopped while making them (killed, crashed) would say "starting"
    for ever: they fail with the reason, and the sweep below removes what was made."""
    since = now - timedelta(seconds=settings.DOCKBOARD_LAB_LAUNCH_SECONDS)
    LabSession.objects.filter(state=LabSession.State.STARTING, last_activity_at__lte=since).update(
        state=LabSession.State.FAILED,
        ended_at=now,
        progress="",
        error=_("The worker making this session stopped before it was ready. Start the lab again."),
    )


def _stop_idle(session: LabSession) -> None:
    with runtime.on_engine(session):
        runtime.stop_all(session)
    LabSession.objects.filter(pk=session.pk, state=LabSession.State.RUNNING).update(
        state=LabSession.State.IDLE
    )


def _remove_orphans(now: datetime) -> None:
    """Lab objects of no active session of this engine, or past their latest expiry."""
    active = {
        str(pk)
        for pk in LabSession.objects.filter(
            state__in=LabSession.ACTIVE, engine=engine.current_name()
        ).values_list("pk", flat=True)
    }
    stale = set()
    for _kind, found_object, session_id in runtime.lab_objects():
        expires = (found_object.get("Labels") or {}).get(labels.EXPIRES, "")
        past = expires.isdecimal() and int(expires) < now.timestamp()
        if session_id not in active or past:
            stale.add(session_id)
    if stale:
        log.info("lab reaper: removing the objects of sessions %s", ", ".join(sorted(stale)))
        runtime.remove_objects(sorted(stale))


def _quietly(call: Callable[..., None], *args: object) -> None:
    try:
        call(*args)
    except EngineError as exc:  # a down engine: the next pass tries again
        log.warning("lab reaper: %s", exc.message)


def run_forever(interval: float) -> None:
    while True:
        started = time.monotonic()
        try:
            reap()
        except Exception:  # the database went away, …: log, and try again next time
            log.exception("lab reaper pass failed")
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
