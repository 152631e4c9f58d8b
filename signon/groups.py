"""What a person's provider groups give them: administrator, and a role in teams. The rules
come from the configuration (DOCKBOARD_SSO_GROUPS, fixed) and from the administrators' page
(``GroupMapping``); where several give one team a role, the highest wins."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from dashboard.models import Membership, Team
from signon.models import GroupMapping

Role = Membership.Role
RANK = {Role.VIEWER: 1, Role.MEMBER: 2, Role.INSTRUCTOR: 3}
ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Rule:
    group: str
    team: str  # the team's name; "" for administrators
    role: str  # a Membership role, or ADMINISTRATOR

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in RANK else ""


@dataclass
class Granted:
    administrator: bool = False
    roles: dict[int, str] = field(default_factory=dict)  # team id: role

    def __bool__(self) -> bool:
        return self.administrator or bool(self.roles)


def configured_rules(text: str | None = None) -> list[Rule]:
    """``GROUP=administrator`` and ``GROUP=TEAM:ROLE`` entries, separated by ``;``."""
    text = settings.DOCKBOARD_SSO_GROUPS if text is None else text
    rules = []
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        group, equals, grant = (piece.strip() for piece in entry.partition("="))
        team, colon, role = (piece.strip() for piece in grant.rpartition(":"))
        if equals and grant == ADMINISTRATOR and group:
            rules.append(Rule(group, "", ADMINISTRATOR))
        elif equals and colon and group and team and role in RANK:
            rules.append(Rule(group, team, role))
        else:
            raise ImproperlyConfigured(
                f"DOCKBOARD_SSO_GROUPS: {entry!r} is neither GROUP=administrator nor "
                f"GROUP=TEAM:ROLE (ROLE one of {', '.join(RANK)})"
            )
    return rules


def page_rules() -> list[Rule]:
    return [
        Rule(m.group, m.team.name if m.team else "", ADMINISTRATOR if m.administrator else m.role)
        for m in GroupMapping.objects.select_related("team")
    ]


def granted(groups: list[str]) -> Granted:
    """What these groups give. A rule naming a team that does not exist gives nothing."""
    result = Granted()
    wanted = set(groups)
    rules = [rule for rule in (*configured_rules(), *page_rules()) if rule.group in wanted]
    teams = dict(Team.objects.filter(name__in={r.team for r in rules}).values_list("name", "pk"))
    for rule in rules:
        if rule.role == ADMINISTRATOR:
            result.administrator = True
        elif (team_id := teams.get(rule.team)) is not None:
            held = result.roles.get(team_id)
            if held is None or RANK[rule.role] > RANK[held]:
                result.roles[team_id] = rule.role
    return result
