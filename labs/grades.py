"""A class's grades: for each learner who started it, each step with when they first passed it
(in any of their sessions of the class), and the score, steps passed over steps. The roster
exports them as CSV and JSON, and `manage.py grades CLASS_ID` prints them."""

import csv
import io
from datetime import datetime
from typing import Any

from django.db.models import Min

from dashboard.web.spreadsheet import safe_cell
from labs.models import CheckResult, LabClass


def grades(lab_class: LabClass) -> dict[str, Any]:
    """The class, its steps, and a row per learner (by username): one query for the sessions,
    one for the first pass of every step."""
    steps = [str(step.title) for step in lab_class.template.steps]
    learners: dict[int, dict[str, Any]] = {}
    for session in (
        lab_class.sessions.filter(learner__isnull=False)
        .select_related("learner")
        .order_by("created_at")
    ):
        row = learners.setdefault(
            session.learner_id,
            {"learner": session.learner.get_username(), "sessions": 0, "passed": {}},
        )
        row["sessions"] += 1
    firsts = (
        CheckResult.objects.filter(session__lab_class=lab_class, passed=True)
        .order_by()
        .values("session__learner_id", "step")
        .annotate(first=Min("checked_at"))
    )
    for first in firsts:
        passed = learners[first["session__learner_id"]]["passed"]
        step, when = first["step"], first["first"]
        if step < len(steps) and (step not in passed or when < passed[step]):
            passed[step] = when
    rows = []
    for row in sorted(learners.values(), key=lambda r: r["learner"]):
        passed: dict[int, datetime] = row.pop("passed")
        rows.append({
            **row,
            "steps_passed": len(passed),
            "score": round(len(passed) / len(steps), 4) if steps else 0.0,
            "passed_at": [passed[i].isoformat() if i in passed else None
                          for i in range(len(steps))],
        })  # fmt: skip
    return {
        "class": lab_class.pk,
        "lab": lab_class.version.lab.slug,
        "version": lab_class.version.number,
        "team": lab_class.team.name,
        "steps": steps,
        "learners": rows,
    }


def grades_csv(lab_class: LabClass) -> str:
    """The same as a spreadsheet: a learner a row, a step a column holding when it passed."""
    found = grades(lab_class)
    out = io.StringIO()
    writer = csv.writer(out)
    numbered = [f"{number}. {title}" for number, title in enumerate(found["steps"], start=1)]
    writer.writerow(["learner", "sessions", "steps passed", "steps", "score", *numbered])
    for row in found["learners"]:
        cells = [row["learner"], row["sessions"], row["steps_passed"], len(found["steps"]),
                 f"{row['score']:.2f}", *(when or "" for when in row["passed_at"])]  # fmt: skip
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()
