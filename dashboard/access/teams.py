"""The gatekeeper of teams and accounts: who sees a team, who manages its people."""

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from dashboard.access.roles import User, grants_for
from dashboard.engine.errors import Denied, NotFound
from dashboard.models import Membership, Team


def visible_teams(user: User) -> Any:
    """Administrators see every team; everyone else the teams they are on."""
    grants = grants_for(user)
    return Team.objects.all() if grants.admin else Team.objects.filter(pk__in=list(grants.roles))


def access_team(user: User, team_id: object, *, manage: bool = False) -> Team:
    """A team the user is on (``NotFound`` alike for others); with ``manage`` (members and
    invitations), ``Denied`` unless they are its instructor or an administrator."""
    team = visible_teams(user).filter(pk=team_id).first() if str(team_id).isdecimal() else None
    if team is None:
        raise NotFound(_("No such team: %(ref)s") % {"ref": team_id})
    if manage and not may_manage_team(user, team):
        raise Denied(_("Only the team's instructors and administrators manage its members."))
    return team


def may_manage_team(user: User, team: Team) -> bool:
    grants = grants_for(user)
    return grants.admin or grants.roles.get(team.pk) == Membership.Role.INSTRUCTOR


def managed_users(user: User) -> Any:
    """The accounts a user manages: all (administrators), their teams' people (instructors)."""
    grants = grants_for(user)
    accounts = get_user_model().objects.order_by("username")
    if grants.admin:
        return accounts
    teams = grants.teams_with(Membership.Role.INSTRUCTOR)
    return accounts.filter(memberships__team__in=teams, is_superuser=False).distinct()


def access_account(user: User, account_id: object) -> Any:
    """An account the user manages, or ``NotFound`` alike for any other."""
    found = (
        managed_users(user).filter(pk=account_id).first() if str(account_id).isdecimal() else None
    )
    if found is None:
        raise NotFound(_("No such user: %(ref)s") % {"ref": account_id})
    return found
