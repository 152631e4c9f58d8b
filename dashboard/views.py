from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dashboard.access import visible_containers
from dashboard.first_run import create_first_administrator, setup_token_is_valid
from dashboard.forms import FirstAdministratorForm
from dashboard.grants import grants_for
from dashboard.overview import collect_overview


def overview(request: HttpRequest) -> HttpResponse:
    grants = grants_for(request.user)
    if not grants.has_team:
        return render(request, "dashboard/no_team.html")
    context = collect_overview(grants.admin, lambda: visible_containers(request.user))
    return render(request, "dashboard/overview.html", context)


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
