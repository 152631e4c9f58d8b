"""Refusals: what the gate says no to, with the form field it concerns, audited as refused."""

from typing import Any, NoReturn

from django.utils.translation import gettext as _

from dashboard.access.roles import Grants, User
from dashboard.actions import audit
from dashboard.engine.errors import BadParameter, Refusal
from dashboard.models import Membership, Team
from dashboard.ops import metrics
from dashboard.policy import quotas


class PolicyRefusal(Refusal, BadParameter):
    """A request the policy refuses; ``field`` names the form field it concerns."""

    def __init__(self, field: str, message: str, status: int = BadParameter.status) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


def refuse(
    user: User, action: str, refusal: PolicyRefusal, team: Team | None, **target: str
) -> NoReturn:
    audit.failed(user, action, refusal, team_id=team.pk if team else None, **target)
    metrics.GATE_REFUSALS.labels(action).inc()
    raise refusal


def locked_team(grants: Grants, team_id: int | None) -> Team | None:
    """The team to create in, locked until the transaction ends (creates in one team queue)."""
    if team_id is None:
        if grants.admin:
            return None
        raise PolicyRefusal("team", _("Choose the team this container belongs to."))
    team = quotas.locked_team(team_id)
    if team is None or not grants.may_create_in(team.pk):
        raise PolicyRefusal("team", _("You may not create containers in this team."))
    return team


def check_for_team(grants: Grants, team: Team | None) -> None:
    """Only the team's instructors and the administrators make objects for the team as a whole
    (no member's yet: a class's warm pool)."""
    if team is None or not (
        grants.admin or grants.roles.get(team.pk) == Membership.Role.INSTRUCTOR
    ):
        raise PolicyRefusal("team", _("Only the team's instructors make objects for the team."))


def limit(asked: int, most: int, form_field: str, shown: Any) -> int:
    """The limit to apply: the team's maximum when none was asked, refused above it."""
    if asked < 0 or asked > most:
        raise PolicyRefusal(
            form_field,
            _("%(asked)s asked; %(most)s is the most this team allows.")
            % {"asked": shown(asked), "most": shown(most)},
        )
    return asked or most
