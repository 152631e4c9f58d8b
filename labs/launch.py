"""The worker's part of a lab session (``tasks.launch_session``): make its objects, or end it
with the reason, and the audit rows of labs."""

import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.engine.errors import EngineError
from labs import runtime
from labs.models import LabClass, LabSession

log = logging.getLogger(__name__)


def audit_lab(user: User | None, action: str, lab_class: LabClass, target_id: str) -> None:
    audit.record(
        user,
        action,
        target_kind="lab",
        target_id=target_id,
        target_name=lab_class.version.lab.slug,
        team_id=lab_class.team_id,
    )


def launch(session_id: int, *, again: bool = False) -> None:
    """The worker's part: make the session's objects, or end it with the reason. A start is
    audited as the learner's; a session made ``again`` was audited as its reset, a warm one is
    as its claim."""
    session = LabSession.objects.select_related("lab_class__version", "learner").get(pk=session_id)
    if session.state != LabSession.State.STARTING:
        return
    try:
        with runtime.on_engine(session):
            runtime.launch(session)
    except EngineError as exc:
        runtime.finish(session, LabSession.State.FAILED, exc.message)
        return
    except Exception:  # a defect: the learner is told, not left waiting on "starting" for ever
        log.exception("lab session %s could not start", session.pk)
        runtime.finish(
            session, LabSession.State.FAILED, _("The session could not start: an unexpected error.")
        )
        raise
    LabSession.objects.filter(pk=session.pk, state=LabSession.State.STARTING).update(
        state=LabSession.State.RUNNING, progress="", last_activity_at=timezone.now()
    )
    if not again and not session.is_pooled:  # a warm session's start is its claim
        audit_lab(session.learner, "start lab session", session.lab_class, str(session.pk))
