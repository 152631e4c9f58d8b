"""The lab library: what a user can start, the labs an author can import, read and open."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.engine.errors import Denied, NotFound
from dashboard.models import Team
from labs import actions
from labs.access import access_lab, instructed_team_ids, may_author, visible_classes
from labs.class_list import SHOWN, managed_classes
from labs.forms import ImportForm, OpenClassForm
from labs.markdown import render as markdown
from labs.models import Lab, LabSession
from labs.template import TemplateError


def _instructed_teams(request: HttpRequest) -> object:
    team_ids = instructed_team_ids(request.user)
    return Team.objects.all() if team_ids is None else Team.objects.filter(pk__in=team_ids)


def lab_list(
    request: HttpRequest, form: ImportForm | None = None, status: int = 200
) -> HttpResponse:
    author = may_author(request.user)
    classes = [c for c in visible_classes(request.user).filter(ended_at=None) if c.is_open()]
    context = {
        "author": author,
        "labs": Lab.objects.prefetch_related("versions") if author else [],
        "managed": managed_classes(request.user)[:SHOWN] if author else [],
        "classes": classes,
        "sessions": LabSession.objects.filter(learner=request.user).select_related(
            "lab_class__version__lab"
        )[:20],
        "form": form or ImportForm(),
    }
    return render(request, "labs/list.html", context, status=status)


@require_POST
def lab_import(request: HttpRequest) -> HttpResponse:
    if not may_author(request.user):
        raise Denied(_("Only instructors and administrators import labs."))
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = actions.import_lab(request.user, form.cleaned_data["file"])
        except TemplateError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(
                request,
                _("Imported %(slug)s, version %(number)d.")
                % {"slug": version.lab.slug, "number": version.number},
            )
            return redirect("labs:detail", version.lab.slug)
    return lab_list(request, form, status=400)


@require_http_methods(["GET", "POST"])
def lab_detail(request: HttpRequest, slug: str) -> HttpResponse:
    lab = access_lab(request.user, slug)
    version = lab.latest()
    template = version.template
    form = OpenClassForm(request.POST or None, teams=_instructed_teams(request), template=template)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                lab_class = actions.open_class(
                    request.user,
                    version,
                    form.cleaned_data["team"],
                    form.parameters(),
                    minutes=form.cleaned_data["minutes"],
                    idle_minutes=form.cleaned_data["idle_minutes"],
                    sessions_per_learner=form.cleaned_data["sessions_per_learner"],
                    join_code=actions.new_join_code() if form.cleaned_data["join_code"] else "",
                    starts_at=form.cleaned_data["starts_at"],
                    ends_at=form.cleaned_data["ends_at"],
                    learners_expected=form.cleaned_data["learners_expected"] or 0,
                )
            except actions.LabError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("labs:roster", lab_class.pk)
        status = 400
    context = {
        "lab": lab,
        "version": version,
        "template": template,
        "description": markdown(str(template.description)),
        "form": form,
        "classes": managed_classes(request.user).filter(version__lab=lab)[:SHOWN],
    }
    return render(request, "labs/detail.html", context, status=status)


def lab_download(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    lab = access_lab(request.user, slug)
    version = lab.versions.filter(number=number).first()
    if version is None:
        raise NotFound(_("No such lab: %(ref)s") % {"ref": f"{slug} v{number}"})
    response = HttpResponse(version.source, content_type="application/toml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{lab.slug}-v{number}.toml"'
    return response
