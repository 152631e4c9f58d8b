"""A learner's session page: the steps with their checks on one side, the terminal on the
other; and what the learner (or the class's instructor) does to the session."""

from typing import Any

from django.contrib import messages
from django.db.models import Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dashboard.engine.errors import EngineError, NotFound
from dashboard.engine.scope import engine_scope
from dashboard.web.streaming import download
from labs import actions, checks, runtime, workspace
from labs.access import access_own_session, access_session, may_manage_class
from labs.forms import AnswerForm
from labs.markdown import render as markdown
from labs.models import CheckResult, LabSession
from labs.template import filled_text

WARN_SECONDS = 5 * 60


def _steps(session: LabSession) -> list[dict[str, Any]]:
    values = runtime.values_for(session)
    latest: dict[int, CheckResult] = {}
    for result in session.checks.order_by("-checked_at")[:200]:
        latest.setdefault(result.step, result)
    passed = set(session.steps_passed)
    # When each step first passed: it stays passed, whatever later steps change.
    passed_at = dict(
        session.checks.filter(passed=True)
        .order_by()
        .values("step")
        .annotate(first=Min("checked_at"))
        .values_list("step", "first")
    )
    return [
        {
            "index": index,
            "number": index + 1,
            "title": filled_text(str(step.title), values),
            "text": markdown(filled_text(str(step.text), values)),
            "hints": [markdown(filled_text(str(hint), values)) for hint in step.hints],
            "asks": step.answer,
            "passed": index in passed,
            "passed_at": passed_at.get(index),
            "result": latest.get(index),
        }
        for index, step in enumerate(session.lab_class.template.steps)
    ]


def _terminal_container(session: LabSession) -> dict[str, Any] | None:
    """The first interactive service's container, when the session is up."""
    if session.state != LabSession.State.RUNNING:
        return None
    template = session.lab_class.template
    for service in template.services:
        if service.interactive and service.tty:
            try:
                return runtime.service_container(session, service.name)
            except (NotFound, EngineError):
                return None
    return None


def _context(request: HttpRequest, session: LabSession) -> dict[str, Any]:
    template = session.lab_class.template
    return {
        "session": session,
        "lab_class": session.lab_class,
        "template": template,
        "title": template.title,
        "learner_view": session.learner_id == request.user.pk,
        "manages": may_manage_class(request.user, session.lab_class),
        "seconds_left": session.seconds_left(),
        "warn_seconds": WARN_SECONDS,
        "may_extend": session.is_active and template.extend_minutes > 0
        and session.extended_minutes + template.extend_minutes <= template.max_extend_minutes,
    }  # fmt: skip


def session_page(request: HttpRequest, session_id: int) -> HttpResponse:
    session = access_session(request.user, session_id)
    with engine_scope(session.engine):
        context = _context(request, session)
        if request.htmx and request.GET.get("part") == "status":
            if request.GET.get("was") != session.state:  # started, idle, ended: redraw it all
                return HttpResponse(headers={"HX-Refresh": "true"})
            return render(request, "labs/session.html#status", context)
        context["steps"] = _steps(session)
        context["c"] = _terminal_container(session)
        context["watch"] = not context["learner_view"]  # a teacher watches, and may take over
        return render(request, "labs/session.html", context)


@require_POST
def session_check(request: HttpRequest, session_id: int, step: int) -> HttpResponse:
    session = access_own_session(request.user, session_id)
    steps = session.lab_class.template.steps
    if not 0 <= step < len(steps):
        raise NotFound(_("No such step: %(ref)s") % {"ref": step + 1})
    if session.state != LabSession.State.RUNNING:
        raise actions.LabError(_("The session is not running: resume or start it first."))
    form = AnswerForm(request.POST)
    form.is_valid()
    checks.run_step(session, step, form.cleaned_data.get("answer", ""))
    if request.htmx:
        session.refresh_from_db()
        with engine_scope(session.engine):
            context = {**_context(request, session), "step": _steps(session)[step]}
            return render(request, "labs/session.html#step", context)
    return redirect("labs:session", session.pk)


def _act(request: HttpRequest, session_id: int, act: Any, done: str) -> HttpResponse:
    session = access_session(request.user, session_id)
    act(session)
    actions.touch(session)
    messages.success(request, done)
    if request.POST.get("back") == "roster" and may_manage_class(request.user, session.lab_class):
        return redirect("labs:roster", session.lab_class_id)
    return redirect("labs:session", session.pk)


@require_POST
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    return _act(
        request,
        session_id,
        lambda session: actions.end_session(request.user, session),
        _("The session has ended; its containers are removed."),
    )


@require_POST
def session_extend(request: HttpRequest, session_id: int) -> HttpResponse:
    return _act(
        request,
        session_id,
        lambda session: actions.extend(request.user, session),
        _("The session was extended."),
    )


@require_POST
def session_reset(request: HttpRequest, session_id: int) -> HttpResponse:
    return _act(
        request,
        session_id,
        lambda session: actions.reset(request.user, session),
        _("The session is being reset."),
    )


@require_POST
def session_resume(request: HttpRequest, session_id: int) -> HttpResponse:
    return _act(
        request,
        session_id,
        lambda session: actions.resume(request.user, session),
        _("The session's containers are running again."),
    )


def session_workspace(request: HttpRequest, session_id: int) -> HttpResponse:
    """The learner's workspace of the session's lab, as a tar (read as the learner)."""
    session = access_session(request.user, session_id)
    name = f"{session.lab_class.version.lab.slug}-workspace.tar"
    return download(workspace.archive(session), name, "application/x-tar")
