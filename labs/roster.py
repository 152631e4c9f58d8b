"""A class's roster as its instructors see it: a row per session, with its progress and the
last lines of its terminal."""

from collections import defaultdict

from django.utils import timezone

from dashboard.interfaces import container_stats
from dashboard.models import OwnershipRecord, TerminalRecording
from dashboard.terminal import recording
from labs import pool
from labs.models import LabClass, LabSession


def _latest_recordings(sessions: list[LabSession]) -> dict[str, TerminalRecording]:
    """Each session's latest terminal recording, in one query."""
    found = TerminalRecording.objects.filter(
        lab_session__in=[str(s.pk) for s in sessions], mode__in=["attach", "exec"]
    ).order_by("started_at")
    return {row.lab_session: row for row in found}


SPARK_SECONDS = 180


def _usage(sessions: list[LabSession]) -> dict[str, list[tuple[int, float, int]]]:
    """Each active session's CPU and memory over the last minutes, its containers' summed at
    each reading: one query of the ownership records, and one of the readings an engine."""
    active = {str(s.pk) for s in sessions if s.is_active}
    records = OwnershipRecord.objects.filter(
        kind=OwnershipRecord.Kind.CONTAINER, lab_session__in=active
    ).values_list("lab_session", "engine", "object_id")
    containers: dict[str, dict[str, str]] = defaultdict(dict)
    for session_id, engine, container_id in records:
        containers[engine][container_id] = session_id
    summed: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))
    for engine, of_session in containers.items():
        readings = container_stats.recent(engine, set(of_session), SPARK_SECONDS)
        for container_id, points in readings.items():
            for at, cpu, memory in points:
                total = summed[of_session[container_id]][at]
                total[0] += cpu
                total[1] += memory
    return {
        session_id: [(at, cpu, memory) for at, (cpu, memory) in sorted(by_time.items())]
        for session_id, by_time in summed.items()
    }


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
    usage = _usage(sessions)
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
            "usage": usage.get(str(session.pk), []),
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
