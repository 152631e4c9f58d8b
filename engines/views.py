"""/engines/: every engine with its health, checked at once. Each engine's own pages are
``/engines/NAME/…`` (dashboard/engine/scope.py)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dashboard.access.roles import require_administrator
from dashboard.engine import fanout
from dashboard.engine import registry as engines
from dashboard.engine.errors import NotFound
from dashboard.policy.ownership import installation_id
from engines import actions
from engines.forms import EngineForm


@require_http_methods(["GET", "POST"])
def engine_list(request: HttpRequest) -> HttpResponse:
    if "remove" in request.POST:
        return _remove(request, request.POST["remove"])
    if request.method == "POST":
        return _add(request)
    require_administrator(request.user, str(actions.ADMINISTRATORS_ONLY))
    return _page(request, EngineForm())


def _page(request: HttpRequest, form: EngineForm) -> HttpResponse:
    context = {
        "health": fanout.health(engines.every_engine()),
        "form": form,
        "installation": installation_id(),
    }
    return render(request, "engines/list.html", context, status=400 if form.errors else 200)


def _add(request: HttpRequest) -> HttpResponse:
    form = EngineForm(request.POST, request.FILES)
    actions.administrator_only(request.user, "engine-add", form.data.get("name", ""))
    if form.is_valid():
        name = form.cleaned_data["name"]
        address = form.cleaned_data["address"].strip()
        try:
            overcommit = form.cleaned_data["overcommit"]
            actions.add(request.user, name, address, form.tls_files(), overcommit=overcommit)
        except engines.EngineConfigError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Added engine %(name)s.") % {"name": name})
            return redirect("engines:list")
    return _page(request, form)


def _remove(request: HttpRequest, name: str) -> HttpResponse:
    try:
        actions.remove(request.user, name)
    except engines.EngineConfigError as exc:
        raise NotFound(exc.message) from None
    messages.success(request, _("Removed engine %(name)s.") % {"name": name})
    return redirect("engines:list")
