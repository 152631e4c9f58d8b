"""/engines/: every engine with its health, checked at once. Each engine's own pages are
``/engines/NAME/…`` (dashboard/engine_scope.py)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dashboard.access.roles import grants_for
from dashboard.actions import audit
from dashboard.engine import fanout
from dashboard.engine import registry as engines
from dashboard.engine.errors import Denied, NotFound
from engines.forms import EngineForm

ALL_ENGINES_TIMEOUT = 5.0


def _administrators_only(request: HttpRequest) -> None:
    if not grants_for(request.user).admin:
        raise Denied(_("Only administrators manage engines."))


@require_http_methods(["GET", "POST"])
def engine_list(request: HttpRequest) -> HttpResponse:
    _administrators_only(request)
    if "remove" in request.POST:
        return _remove(request, request.POST["remove"])
    form = EngineForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and form.save():
        name = form.cleaned_data["name"]
        audit.record(
            request.user,
            "engine-add",
            target_kind="engine",
            target_name=name,
            command=form.cleaned_data["address"],
        )
        messages.success(request, _("Added engine %(name)s.") % {"name": name})
        return redirect("engines:list")
    context = {"health": fanout.health(engines.every_engine()), "form": form}
    return render(request, "engines/list.html", context, status=400 if form.errors else 200)


def _remove(request: HttpRequest, name: str) -> HttpResponse:
    try:
        engines.remove(name)
    except engines.EngineConfigError as exc:
        raise NotFound(exc.message) from None
    audit.record(request.user, "engine-remove", target_kind="engine", target_name=name)
    messages.success(request, _("Removed engine %(name)s.") % {"name": name})
    return redirect("engines:list")
