"""The users page: who is on the teams one manages, their roles, and deactivation."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dashboard.access.roles import Role, grants_for
from dashboard.access.teams import access_account, managed_users
from dashboard.engine.errors import Denied
from teams import actions


def user_list(request: HttpRequest) -> HttpResponse:
    grants = grants_for(request.user)
    if not (grants.admin or grants.teams_with(Role.INSTRUCTOR)):
        raise Denied(_("Only administrators and instructors manage users."))
    accounts = managed_users(request.user).prefetch_related("memberships__team")
    managed_teams = None if grants.admin else set(grants.teams_with(Role.INSTRUCTOR))
    context = {"accounts": accounts, "managed_teams": managed_teams, "role_choices": Role.choices}
    return render(request, "teams/users.html", context)


@require_POST
def user_active(request: HttpRequest, user_id: int) -> HttpResponse:
    """Deactivate (sessions and terminals end at once) or reactivate an account."""
    account = access_account(request.user, user_id)
    if account.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate yourself."))
        return redirect("teams:users")
    active = request.POST.get("active") == "1"
    actions.set_active(request.user, account, active)
    message = _("%(user)s can sign in again.") if active else _("%(user)s is deactivated.")
    messages.success(request, message % {"user": account.get_username()})
    return redirect("teams:users")
