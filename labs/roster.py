"""A class's roster as its instructors see it: a row per session, with its progress and the
last lines of its terminal."""

from django.utils import timezone

from dashboard.models import TerminalRecording
from dashboard.terminal import recording
from labs import pool
from labs.models import LabClass, LabSession


def _latest_recordings(sessions: list[LabSession]) -> dict[str, TerminalRecording]:
    """Each session's latest terminal recording, in one query."""
    found = TerminalRecording.objects.filter(
        lab_session__in=[str(s.pk) for s in sessions], mode__in=["attach", "exec"]
    ).order_by("started_at")
    return {row.lab_session: row for row in found}


def roster_rows(lab_class: LabClass) -> list[dict[str, object]]:
    total = len(lab_class.template.steps)
    now = timezone.now()
    rows = []
    sessions = list(
        lab_class.sessions.filter(learner__isnull=False)
        .select_related("learner")
        .order_by("learner__username", "-created_at")
    )
    recordings = _latest_recordings(sessions)
    for session in sessions:
        recorded = recordings.get(str(session.pk))
        passed = len(session.steps_passed)
        rows.append({
            "session": session,
            "step": min(session.current_step_of(total) + 1, total),
            "passed": passed,
            "total": total,
            "seconds_left": session.seconds_left() if session.is_active else 0,
            "idle_seconds": int((now - session.last_activity_at).total_seconds()),
            "screen": recording.last_lines(recorded) if recorded and session.is_active else [],
        })  # fmt: skip
    return rows


def roster_context(lab_class: LabClass) -> dict[str, object]:
    return {
        "lab_class": lab_class,
        "rows": roster_rows(lab_class),
        "pool": pool.counts(lab_class) if lab_class.learners_expected else None,
        "template": lab_class.template,
        "engines": (names := lab_class.team.engine_names),
        "spread": len(names) > 1,  # then each session's engine is shown
    }
