"""Team pages: the list, one team (members, policy, quota use), its policy, invitations, roles."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access.roles import grants_for
from dashboard.access.teams import access_team, may_manage_team, visible_teams
from dashboard.engine.errors import EngineError
from dashboard.interfaces import team_page
from dashboard.models import Membership
from dashboard.policy import quotas
from dashboard.policy.containers import DEFAULT_CAPABILITIES
from teams import actions, invitations
from teams.forms import InviteForm, RoleForm, TeamCreateForm, TeamPolicyForm
from teams.registry_forms import RegistryLoginForm

SHOWN_INVITATIONS = 200  # the open ones, the latest first: a whole class invited at once


@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest) -> HttpResponse:
    """The teams the user is on (administrators: all); administrators create teams here."""
    form = TeamCreateForm(request.POST or None)
    if request.method == "POST":
        actions.administrator_only(request.user, "team-create")
        if form.is_valid():
            team = actions.create_team(request.user, form)
            return redirect("teams:detail", team.pk)
    context = {
        "teams": visible_teams(request.user),
        "form": form,
        "is_admin": grants_for(request.user).admin,
    }
    return render(request, "teams/list.html", context, status=400 if form.errors else 200)


def team_detail(
    request: HttpRequest,
    team_id: int,
    policy_form: TeamPolicyForm | None = None,
    invite_form: InviteForm | None = None,
    registry_form: RegistryLoginForm | None = None,
    status: int = 200,
) -> HttpResponse:
    team = access_team(request.user, team_id)
    manage = may_manage_team(request.user, team)
    try:
        used, mine = quotas.usage(team, request.user.pk)
    except EngineError as exc:  # the team's own facts stand without the engine
        messages.error(request, exc.message)
        used = mine = None
    team_limits, member_limits = quotas.limits(team)
    context = {
        "team": team,
        "manage": manage,
        "is_admin": grants_for(request.user).admin,
        "members": team.memberships.select_related("user").order_by("user__username"),
        "role_choices": Membership.Role.choices,
        "used": used,
        "mine": mine,
        "team_limits": team_limits,
        "member_limits": member_limits,
        "capabilities": DEFAULT_CAPABILITIES,
        "policy_form": policy_form or TeamPolicyForm(instance=team),
        "invite_form": invite_form or InviteForm(),
        "invitations": invitations.open_invitations(team)[:SHOWN_INVITATIONS] if manage else [],
        "registry_logins": team.registry_logins.order_by("registry", "engine") if manage else [],
        "registry_form": registry_form or RegistryLoginForm(team=team),
        "sections": team_page.sections_for(team, request.user),
    }
    return render(request, "teams/detail.html", context, status=status)


@require_POST
def team_policy(request: HttpRequest, team_id: int) -> HttpResponse:
    team = access_team(request.user, team_id)
    actions.administrator_only(request.user, "policy-change", team)
    form = TeamPolicyForm(request.POST, instance=team)
    if not form.is_valid():
        return team_detail(request, team.pk, policy_form=form, status=400)
    actions.change_policy(request.user, team, form)
    messages.success(request, _("Saved the policy of team %(team)s.") % {"team": team.name})
    return redirect("teams:detail", team.pk)


@require_POST
def team_invite(request: HttpRequest, team_id: int) -> HttpResponse:
    """A new one-time link, shown once on the page that answers (it is stored only hashed)."""
    team = access_team(request.user, team_id, manage=True)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return team_detail(request, team.pk, invite_form=form, status=400)
    role, notes = form.cleaned_data["role"], form.cleaned_data["notes"]
    tokens = invitations.issue_many(team, role, request.user, notes)
    links = [
        (note, request.build_absolute_uri(invitations.link_path(token)))
        for note, token in zip(notes, tokens, strict=True)
    ]
    context = {"team": team, "links": links, "role": role}
    return render(request, "teams/invitation_link.html", context)


@require_POST
def invitation_revoke(request: HttpRequest, team_id: int, invitation_id: int) -> HttpResponse:
    team = access_team(request.user, team_id, manage=True)
    invitation = invitations.open_invitations(team).filter(pk=invitation_id).first()
    if invitation is None:
        messages.error(request, _("That invitation is no longer open."))
    else:
        invitations.revoke(invitation, request.user)
        messages.success(request, _("The invitation is revoked: its link no longer works."))
    return redirect("teams:detail", team.pk)


@require_POST
def member_role(request: HttpRequest, team_id: int, user_id: int) -> HttpResponse:
    """Change a member's role in the team, or remove them from it ("" as the role)."""
    team = access_team(request.user, team_id, manage=True)
    membership = (
        Membership.objects.filter(team=team, user_id=user_id).select_related("user").first()
    )
    form = RoleForm(request.POST)
    if membership is None or not form.is_valid():
        messages.error(request, _("No such member, or no such role."))
        return redirect("teams:detail", team.pk)
    done = actions.change_role(request.user, membership, form.cleaned_data["role"])
    messages.success(request, done)
    if request.POST.get("next") == "users":
        return redirect("teams:users")
    return redirect("teams:detail", team.pk)
