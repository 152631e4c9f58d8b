"""The invitee's side: a one-time link that makes their account in the team."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from teams import invitations
from teams.forms import AcceptInvitationForm


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    invite = invitations.open_invitation(token)
    if invite is None:
        return render(request, "teams/invitation_spent.html", status=404)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = invitations.accept(
            token, form.cleaned_data["username"], form.cleaned_data["password1"]
        )
        if user is None:
            return render(request, "teams/invitation_spent.html", status=404)
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(request, _("Welcome to %(team)s.") % {"team": invite.team.name})
        return redirect("overview")
    context = {"form": form, "invitation": invite}
    return render(request, "teams/accept.html", context, status=400 if form.errors else 200)
