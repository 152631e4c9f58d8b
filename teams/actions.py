"""Create teams, change their policy and their members' roles; each change in the audit log,
and every refusal of an administrator's change too."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.access.roles import User, require_administrator
from dashboard.actions import audit
from dashboard.live.sessions import close_connections, end_sessions
from dashboard.models import Membership, Team
from teams.forms import TeamCreateForm, TeamPolicyForm

ADMINISTRATORS_ONLY = gettext_lazy("Only administrators do this.")


def administrator_only(user: User, action: str, team: Team | None = None) -> None:
    """``Denied`` (and a refusal in the log) unless the user is an administrator."""
    target = {"target_kind": "team"}
    if team is not None:
        target |= {"target_id": str(team.pk), "target_name": team.name, "team_id": team.pk}
    with audit.denials_recorded(user, action, **target):
        require_administrator(user, str(ADMINISTRATORS_ONLY))


def create_team(user: User, form: TeamCreateForm) -> Team:
    administrator_only(user, "team-create")
    team = form.save()
    audit.record(
        user, "team-create", target_kind="team", target_id=str(team.pk), target_name=team.name,
        team_id=team.pk,
    )  # fmt: skip
    return team


def change_policy(user: User, team: Team, form: TeamPolicyForm) -> None:
    administrator_only(user, "policy-change", team)
    form.save()
    audit.record(
        user, "policy-change", target_kind="team", target_id=str(team.pk), target_name=team.name,
        team_id=team.pk, reason=", ".join(form.changed_data) or _("nothing"),
    )  # fmt: skip


def change_role(user: User, membership: Membership, role: str) -> str:
    """The member's new role in the team, or out of it ("" as the role); what was done. Their
    open terminals end: rights are read when a terminal connects."""
    team, name = membership.team, membership.user.get_username()
    if role:
        Membership.objects.filter(pk=membership.pk).update(role=role)
        done = _("%(user)s is now %(role)s in %(team)s.") % {
            "user": name,
            "role": Membership.Role(role).label,
            "team": team.name,
        }
    else:
        membership.delete()
        done = _("Removed %(user)s from %(team)s.") % {"user": name, "team": team.name}
    audit.record(
        user, "role-change", target_kind="user", target_id=str(membership.user_id),
        target_name=name, team_id=team.pk, reason=role or "removed",
    )  # fmt: skip
    close_connections(membership.user_id)
    return done


def set_active(user: User, account: object, active: bool) -> None:
    """Reactivate an account, or deactivate it: its sessions and terminals end at once."""
    account.is_active = active
    account.save(update_fields=["is_active"])
    if not active:
        end_sessions(account.pk)
    # A row for each of the account's teams, so that each team's instructors read it.
    teams = list(account.memberships.values_list("team_id", flat=True)) or [None]
    for team_id in teams:
        audit.record(
            user, "activate" if active else "deactivate", target_kind="user",
            target_id=str(account.pk), target_name=account.get_username(), team_id=team_id,
        )  # fmt: skip
