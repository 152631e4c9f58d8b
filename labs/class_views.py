"""A class: its roster for the instructor (live, with per-learner actions and a CSV), and the
learner's Start."""

import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from labs import actions
from labs.access import access_class
from labs.forms import JoinForm
from labs.models import LabClass, LabSession


def _rows(lab_class: LabClass) -> list[dict[str, object]]:
    total = len(lab_class.template.steps)
    now = timezone.now()
    rows = []
    for session in lab_class.sessions.select_related("learner").order_by(
        "learner__username", "-created_at"
    ):
        passed = len(session.steps_passed)
        rows.append({
            "session": session,
            "step": min(session.current_step_of(total) + 1, total),
            "passed": passed,
            "total": total,
            "seconds_left": session.seconds_left() if session.is_active else 0,
            "idle_seconds": int((now - session.last_activity_at).total_seconds()),
        })  # fmt: skip
    return rows


def roster(request: HttpRequest, class_id: int) -> HttpResponse:
    lab_class = access_class(request.user, class_id, manage=True)
    context = {"lab_class": lab_class, "rows": _rows(lab_class), "template": lab_class.template}
    if request.htmx:
        return render(request, "labs/roster.html#roster", context)
    return render(request, "labs/roster.html", context)


def roster_csv(request: HttpRequest, class_id: int) -> StreamingHttpResponse:
    lab_class = access_class(request.user, class_id, manage=True)

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    header = ["learner", "state", "steps passed", "steps", "started", "ended", "last check"]
    rows = (
        [
            row["session"].learner.get_username(),
            row["session"].state,
            row["passed"],
            row["total"],
            row["session"].created_at.isoformat(),
            row["session"].ended_at.isoformat() if row["session"].ended_at else "",
            row["session"].last_output,
        ]
        for row in _rows(lab_class)
    )
    response = StreamingHttpResponse(
        (writer.writerow(r) for r in [header, *rows]), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="class-{lab_class.pk}.csv"'
    return response


@require_POST
def class_end(request: HttpRequest, class_id: int) -> HttpResponse:
    lab_class = access_class(request.user, class_id, manage=True)
    actions.end_class(request.user, lab_class)
    return redirect("labs:roster", lab_class.pk)


@require_POST
def class_start(request: HttpRequest, class_id: int) -> HttpResponse:
    """Start lab: the learner's session, queued for the worker; they watch its progress."""
    lab_class = access_class(request.user, class_id)
    form = JoinForm(request.POST)
    form.is_valid()
    existing = lab_class.sessions.filter(learner=request.user, state__in=LabSession.ACTIVE).first()
    try:
        session = actions.start_session(
            request.user, lab_class, form.cleaned_data.get("join_code", "")
        )
    except actions.LabError as exc:
        if existing is not None:
            messages.info(request, exc.message)
            return redirect("labs:session", existing.pk)
        return render(
            request, "labs/start_refused.html", {"lab_class": lab_class, "message": exc.message},
            status=400,
        )  # fmt: skip
    return redirect("labs:session", session.pk)
