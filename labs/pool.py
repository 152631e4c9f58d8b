"""A class's warm pool: sessions made before their learners come, so that a learner's Start is
a claim (a few updates) instead of a launch (pull, network, containers, setup script).

The pool keeps one ready session for each expected learner who has not started yet
(``LabClass.learners_expected``), from ``DOCKBOARD_LAB_WARM_MINUTES`` before a scheduled start
to the class's end; the reaper's pass refills it (``fill``) and then drains what is no longer
wanted. A warm session is a ``LabSession`` without a learner, made by the gate for the team
(``for_team``) as the instructor who opened the class. A claim gives it to the learner:
the session row, and the ownership records of its objects (``dashboard.policy.handover``), so
their rights and quota follow at once; its socket, if it has a workstation, is then served.
"""

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.access.roles import User
from dashboard.engine import current as engine
from dashboard.engine.errors import EngineError
from dashboard.policy import handover
from dashboard.policy.refusals import PolicyRefusal
from labs import placement, runtime
from labs.errors import LabError
from labs.models import LabClass, LabSession
from labs.tasks import launch_session
from labs.template import LabTemplate

log = logging.getLogger(__name__)


def refusal(template: LabTemplate) -> str | None:
    """Why the lab cannot be made ahead of its learners: its objects are made with each
    learner's own values."""
    if template.workspace_service is not None:
        return _("This lab mounts each learner's workspace: its sessions cannot be made before "
                 "the learner starts.")  # fmt: skip
    own = {"learner"} | {p.name for p in template.parameters if p.is_per_learner}
    if used := sorted(template.made_with() & own):
        return _(
            "This lab makes each learner's containers with their own value of ${%(name)s}: "
            "its sessions cannot be made before the learner starts."
        ) % {"name": used[0]}
    return None


def warm_from(lab_class: LabClass) -> datetime | None:
    """When the class's images are pulled and its pool made: before its start, or from its
    opening."""
    if lab_class.starts_at is None:
        return None
    return lab_class.starts_at - timedelta(minutes=settings.DOCKBOARD_LAB_WARM_MINUTES)


def warming(lab_class: LabClass, now: datetime) -> bool:
    begins = warm_from(lab_class)
    return lab_class.state(now) != LabClass.State.ENDED and (begins is None or begins <= now)


def counts(lab_class: LabClass) -> dict[str, int]:
    """What the roster shows of the pool: sessions ready and starting, and the number wanted."""
    found = lab_class.sessions.filter(learner__isnull=True).aggregate(
        ready=Count("pk", filter=Q(state=LabSession.State.RUNNING)),
        starting=Count("pk", filter=Q(state=LabSession.State.STARTING)),
    )
    return {**found, "wanted": wanted(lab_class)}


def wanted(lab_class: LabClass) -> int:
    """One warm session for each expected learner who has not started one."""
    return _wanted_and_pooled(lab_class)[0]


def _wanted_and_pooled(lab_class: LabClass) -> tuple[int, int]:
    """What the pool wants, and the warm sessions it holds (starting or ready), read in one
    query: a claim moves a session from the second to the learners who came at once."""
    found = LabClass.objects.filter(pk=lab_class.pk).aggregate(
        came=Count("sessions__learner", distinct=True),
        pooled=Count(
            "sessions",
            filter=Q(sessions__learner__isnull=True, sessions__state__in=LabSession.ACTIVE),
        ),
    )
    return max(0, lab_class.learners_expected - found["came"]), found["pooled"]


def fill(now: datetime) -> None:
    """The reaper's part: each warming class's pool made up to what it wants (the images on
    every engine first), and what it no longer wants drained."""
    pooled = LabSession.objects.filter(learner__isnull=True, state__in=LabSession.ACTIVE)
    classes = LabClass.objects.filter(ended_at__isnull=True).filter(
        Q(learners_expected__gt=0)
        | Q(starts_at__isnull=False, images_ready_at__isnull=True)
        | Q(pk__in=pooled.values("lab_class_id"))
    )
    for lab_class in classes.select_related("version", "team", "opened_by"):
        if not warming(lab_class, now):
            continue
        try:
            if lab_class.images_ready_at is None:
                runtime.pull_everywhere(lab_class)
                LabClass.objects.filter(pk=lab_class.pk).update(images_ready_at=timezone.now())
            _refill(lab_class, now)
        except (LabError, EngineError) as exc:  # no room, a failed pull: the roster shows it
            log.warning("warm pool of class %s: %s", lab_class.pk, exc.message)


def _refill(lab_class: LabClass, now: datetime) -> None:
    wants, holds = _wanted_and_pooled(lab_class)
    missing = wants - holds
    if missing < 0:  # learners came without the pool, or fewer are expected now: drain
        pooled = lab_class.sessions.filter(learner__isnull=True, state__in=LabSession.ACTIVE)
        for session in pooled.order_by("-pk")[:-missing]:  # unless claimed meanwhile
            runtime.finish(session, LabSession.State.ENDED, unclaimed=True)
        return
    if not missing or lab_class.opened_by is None or refusal(lab_class.template):
        return  # full; or opened from the command line, a lab made per learner: none made
    claimable_until = lab_class.ends_at or now + timedelta(hours=settings.DOCKBOARD_LAB_WARM_HOURS)
    free = placement.free_by_engine(lab_class)
    for _index in range(missing):
        with transaction.atomic():
            LabClass.objects.select_for_update().get(pk=lab_class.pk)
            engine_name = placement.choose_engine(lab_class, free)
            session = LabSession.objects.create(
                lab_class=lab_class,
                learner=None,
                engine=engine_name,
                expires_at=claimable_until,
                progress=_("Made ahead for the next learner…"),
            )
            launch_session.enqueue(session.pk)


def claim(user: User, lab_class: LabClass, room: Callable[[LabClass], None]) -> LabSession | None:
    """A ready warm session of the class, now the learner's; None when none is ready (the
    learner's session is then launched). ``room(locked_class)`` refuses a learner who may not
    start another session, inside the claim's transaction. Two learners never get the same one:
    the claim is an update of a session that has no learner yet."""
    ready = list(
        lab_class.sessions.filter(learner__isnull=True, state=LabSession.State.RUNNING).values_list(
            "pk", "engine"
        )
    )
    random.shuffle(ready)  # learners pressing at once try different ones first
    for pk, engine_name in ready:
        now = timezone.now()
        try:
            with transaction.atomic():
                room(LabClass.objects.select_for_update().get(pk=lab_class.pk))
                taken = LabSession.objects.filter(
                    pk=pk, learner__isnull=True, state=LabSession.State.RUNNING
                ).update(
                    learner=user,
                    created_at=now,
                    expires_at=now + timedelta(minutes=lab_class.minutes),
                    last_activity_at=now,
                    progress="",
                )
                if not taken:
                    continue  # another learner's
                with engine.on(engine_name):
                    handover.hand_over(user, lab_class.team_id, str(pk))
        except PolicyRefusal as refusal:
            raise LabError(refusal.message) from None
        session = LabSession.objects.select_related("lab_class__version", "learner").get(pk=pk)
        if any(service.workstation for service in lab_class.template.services):
            runtime.open_socket(session)
        return session
    return None
