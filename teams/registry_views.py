"""A team's registry logins, kept by its instructors and administrators on the team's page."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dashboard.access.teams import access_team
from dashboard.engine.errors import NotFound
from dashboard.models import RegistryLogin, Team
from teams import registry_logins
from teams.registry_forms import RegistryLoginForm, RegistryPasswordForm
from teams.views import team_detail


def _login(team: Team, login_id: int) -> RegistryLogin:
    login = team.registry_logins.filter(pk=login_id).first()
    if login is None:
        raise NotFound(_("No such registry login."))
    return login


@require_POST
def login_add(request: HttpRequest, team_id: int) -> HttpResponse:
    team = access_team(request.user, team_id, manage=True)
    form = RegistryLoginForm(request.POST, team=team)
    if form.is_valid():
        data = form.cleaned_data
        try:
            login = registry_logins.add(
                request.user, team, data["registry"], data["engine"], data["username"],
                data["password"],
            )  # fmt: skip
        except registry_logins.LoginRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            done = _(
                "Stored the login of %(user)s to %(registry)s. Its password is not shown again."
            )
            messages.success(request, done % {"user": login.username, "registry": login.registry})
            return redirect("teams:detail", team.pk)
    return team_detail(request, team.pk, registry_form=form, status=400)


@require_POST
def login_rotate(request: HttpRequest, team_id: int, login_id: int) -> HttpResponse:
    team = access_team(request.user, team_id, manage=True)
    login = _login(team, login_id)
    form = RegistryPasswordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the user name and the new password."))
        return redirect("teams:detail", team.pk)
    try:
        registry_logins.replace_password(
            request.user, login, form.cleaned_data["username"], form.cleaned_data["password"]
        )
    except registry_logins.LoginRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Replaced the password of the login to %(registry)s.")
                         % {"registry": login.registry})  # fmt: skip
    return redirect("teams:detail", team.pk)


@require_POST
def login_remove(request: HttpRequest, team_id: int, login_id: int) -> HttpResponse:
    team = access_team(request.user, team_id, manage=True)
    login = _login(team, login_id)
    registry_logins.remove(request.user, login)
    messages.success(
        request, _("Removed the login to %(registry)s.") % {"registry": login.registry}
    )
    return redirect("teams:detail", team.pk)
