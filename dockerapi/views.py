"""A person's access tokens for the `docker` CLI: made here (the secret is shown once), listed
with their last use, and revoked."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dashboard.access.roles import creatable_teams, grants_for
from dockerapi import tokens


def token_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _page(request: HttpRequest, *, secret: str = "", error: str = "", status: int = 200):
    context = {
        "tokens": tokens.tokens_of(request.user),
        "teams": creatable_teams(request.user),
        "admin": grants_for(request.user).admin,
        "secret": secret,
        "error": error,
        "endpoint": settings.DOCKBOARD_DOCKER_API,
        "default_days": tokens.DEFAULT_DAYS,
        "most_days": tokens.MOST_DAYS,
    }
    return render(request, "dockerapi/tokens.html", context, status=status)


@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    days = request.POST.get("days", "")
    try:
        if not days.isdecimal():
            raise tokens.TokenError(_("A token lasts a whole number of days."))
        _token, secret = tokens.issue(
            request.user,
            request.POST.get("name", ""),
            days=int(days),
            team_name=request.POST.get("team", ""),
        )
    except tokens.TokenError as exc:
        return _page(request, error=exc.message, status=400)
    return _page(request, secret=secret)


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = tokens.revoke(request.user, token_id)
    if token is None:
        messages.error(request, _("No such token."))
    else:
        messages.success(request, _("Revoked %(name)s: it works no more.") % {"name": token.name})
    return redirect("dockerapi:tokens")
