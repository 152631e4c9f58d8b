"""Who may do what: a user's roles, read once, and the rules they give on engine objects.

Administrators (superusers) may do everything. A team's instructors act on all of the team's
containers, its members on their own containers in it, its viewers only look. Who an object
belongs to is the ownership record (``dashboard.ownership``): an object without one (made with
the CLI, by another installation, or labelled by an image) is the administrators' alone.
"""

import contextlib
import enum
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from dashboard.engine import current as engine
from dashboard.engine.errors import Denied
from dashboard.models import Membership, Team
from dashboard.policy import labels
from dashboard.policy.ownership import Owner

type User = AbstractBaseUser | AnonymousUser
Role = Membership.Role
CACHE_ATTRIBUTE = "_dockboard_grants"


class Rights(enum.IntEnum):
    NONE = 0
    READ = 1
    WRITE = 2


@dataclass(frozen=True)
class Grants:
    user_id: int | None
    admin: bool = False
    roles: dict[int, str] = field(default_factory=dict)  # team id → role
    handed_over: bool = False  # holds objects made for a team and handed to them (a warm session)

    @property
    def has_team(self) -> bool:
        return self.admin or bool(self.roles)

    def teams_with(self, *roles: str) -> list[int]:
        return sorted(team for team, role in self.roles.items() if role in roles)

    def may_create_in(self, team_id: int | None) -> bool:
        if self.admin:
            return True
        return team_id is not None and self.roles.get(team_id) in (Role.INSTRUCTOR, Role.MEMBER)

    def rights(self, owner: Owner | None) -> Rights:
        """The user's rights on an object with this ownership record (None: it has none)."""
        if self.admin:
            return Rights.WRITE
        role = self.roles.get(owner.team_id) if owner and owner.team_id is not None else None
        if role == Role.INSTRUCTOR:
            return Rights.WRITE
        if role == Role.VIEWER:
            return Rights.READ
        if role == Role.MEMBER and owner.owner_id == self.user_id:
            return Rights.WRITE
        return Rights.NONE

    def list_filters(self) -> list[str] | None:
        """Label filters for the one engine list call that holds every container this user may
        see (narrowed further by ``rights``, on the record); None when they may see none."""
        if self.admin:
            return []
        if not self.roles:
            return None
        if not self.teams_with(Role.INSTRUCTOR, Role.VIEWER) and not self.handed_over:
            return [f"{labels.OWNER}={self.user_id}"]
        if len(self.roles) == 1:
            return [f"{labels.TEAM}={next(iter(self.roles))}"]
        return [labels.TEAM]


def team_roles(user: User) -> dict[int, str]:
    """The user's role on each of their teams, whatever engines the teams use (classes and
    recordings are no engine's); none for a signed-out or deactivated user."""
    return {team: role for team, role, _engines, _handed in _memberships(user)}


def is_administrator(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def _memberships(user: User) -> list[tuple[int, str, str, bool]]:
    """(team, role, the team's engines, handed over) of each team of an active user: the one
    reader of roles."""
    if not (user.is_authenticated and user.is_active):
        return []
    return list(
        Membership.objects.filter(user=user).values_list(
            "team_id", "role", "team__engines", "handed_over"
        )
    )


def grants_for(user: User) -> Grants:
    """The user's grants on the current engine (their roles in the teams that use it), read from
    the database once per user object (one request) and engine."""
    engine_name = engine.current_name()
    cached = getattr(user, CACHE_ATTRIBUTE, {})
    if engine_name in cached:
        return cached[engine_name]
    if not (user.is_authenticated and user.is_active):
        grants = Grants(None)
    elif user.is_superuser:
        grants = Grants(user.pk, admin=True)
    else:
        used = [row for row in _memberships(user) if engine_name in row[2].split()]
        roles = {team: role for team, role, _names, _handed in used}
        grants = Grants(user.pk, roles=roles, handed_over=any(row[3] for row in used))
    setattr(user, CACHE_ATTRIBUTE, {**cached, engine_name: grants})
    return grants


def require_administrator(user: User, message: str) -> None:
    """``Denied``, saying ``message``, unless the user is an administrator."""
    if not grants_for(user).admin:
        raise Denied(message)


def forget_grants(user: User) -> None:
    """Read the user's grants again next time (a long-lived websocket keeps its user object)."""
    with contextlib.suppress(AttributeError):
        delattr(user, CACHE_ATTRIBUTE)


def creatable_teams(user: User) -> list[Team]:
    """The teams a user may create containers in (administrators: all)."""
    grants = grants_for(user)
    if grants.admin:
        return list(Team.objects.all())
    return list(Team.objects.filter(pk__in=grants.teams_with(Role.INSTRUCTOR, Role.MEMBER)))
