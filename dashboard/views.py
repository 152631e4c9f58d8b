from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dashboard.access.containers import visible_containers
from dashboard.access.roles import grants_for
from dashboard.engine import registry as engines
from dashboard.engine.errors import NotFound
from dashboard.ops.first_run import create_first_administrator, setup_token_is_valid
from dashboard.web.forms import FirstAdministratorForm
from dashboard.web.overview import collect_overview


def overview(request: HttpRequest) -> HttpResponse:
    grants = grants_for(request.user)
    if not grants.has_team:
        return render(request, "dashboard/no_team.html")
    context = collect_overview(grants.admin, lambda: visible_containers(request.user))
    return render(request, "dashboard/overview.html", context)


@login_not_required
def old_local_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """A bookmark from before several engines: the same page of the ``local`` engine (301; 308
    for a form sent to it, which keeps its method and body)."""
    query = request.META.get("QUERY_STRING", "")
    to = reverse("overview") + escape_uri_path(rest) + (f"?{query}" if query else "")
    return redirect(to, permanent=True, preserve_request=request.method not in ("GET", "HEAD"))


def no_such_engine(request: HttpRequest, name: str) -> HttpResponse:
    if engines.ENGINE_NAME.fullmatch(name) is None or engines.find(name) is None:
        raise NotFound(_("No such engine: %(name)s") % {"name": name})
    raise Http404


@login_not_required
@require_http_methods(["GET", "POST"])
def first_administrator(request: HttpRequest, token: str) -> HttpResponse:
    if not setup_token_is_valid(token):
        return render(request, "dashboard/setup_spent.html", status=404)
    form = FirstAdministratorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = create_first_administrator(
            token, form.cleaned_data["username"], form.cleaned_data["password1"]
        )
        if user is None:
            return render(request, "dashboard/setup_spent.html", status=404)
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(request, _("Welcome. You are Dockboard's administrator."))
        return redirect("overview")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "dashboard/setup.html",
        {"form": form, "title": _("Create the administrator")},
        status=status,
    )
