"""A class: its roster for the instructor (live, with per-learner actions and a CSV), and the
learner's Start."""

import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dashboard.web.spreadsheet import safe_cell
from labs import actions
from labs.access import access_class
from labs.forms import ClassParametersForm, JoinForm
from labs.grades import grades, grades_csv
from labs.models import LabSession
from labs.roster import roster_context, roster_rows


def roster(
    request: HttpRequest,
    class_id: int,
    form: ClassParametersForm | None = None,
    status: int = 200,
) -> HttpResponse:
    lab_class = access_class(request.user, class_id, manage=True)
    context = roster_context(lab_class)
    if request.htmx and form is None:
        return render(request, "labs/roster.html#roster", context)
    context["parameters_form"] = form or ClassParametersForm(
        template=lab_class.template,
        values=lab_class.parameters,
        expected=lab_class.learners_expected,
    )
    return render(request, "labs/roster.html", context, status=status)


@require_POST
def class_parameters(request: HttpRequest, class_id: int) -> HttpResponse:
    lab_class = access_class(request.user, class_id, manage=True)
    form = ClassParametersForm(
        request.POST,
        template=lab_class.template,
        values=lab_class.parameters,
        expected=lab_class.learners_expected,
    )
    if form.is_valid():
        try:
            expected = form.cleaned_data["learners_expected"]  # None: as it was
            actions.change_parameters(request.user, lab_class, form.parameters(), expected)
        except actions.LabError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The class's parameters are changed."))
            return redirect("labs:roster", lab_class.pk)
    return roster(request, lab_class.pk, form, status=400)


def roster_csv(request: HttpRequest, class_id: int) -> HttpResponse:
    lab_class = access_class(request.user, class_id, manage=True)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="class-{lab_class.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["learner", "state", "steps passed", "steps", "started", "ended", "last check"])
    for row in roster_rows(lab_class):
        session = row["session"]
        cells = [
            session.learner.get_username(), session.state, row["passed"], row["total"],
            session.created_at.isoformat(),
            session.ended_at.isoformat() if session.ended_at else "",
            session.last_output,
        ]  # fmt: skip
        writer.writerow([safe_cell(cell) for cell in cells])
    return response


def class_grades(request: HttpRequest, class_id: int, kind: str) -> HttpResponse:
    """The class's grades, as CSV or JSON (a download)."""
    lab_class = access_class(request.user, class_id, manage=True)
    if kind == "json":
        response = JsonResponse(grades(lab_class), json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(grades_csv(lab_class), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="class-{lab_class.pk}-grades.{kind}"'
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
