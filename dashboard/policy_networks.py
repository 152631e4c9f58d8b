"""The policy gate for networks: a user's own bridge network in a team, labelled as theirs so
that the gate lets their containers join it (and nobody else's)."""

from django.utils.translation import gettext as _

from dashboard import engine_networks
from dashboard.grants import User, grants_for
from dashboard.models import Team
from dashboard.policy import _SEAL, CheckedNetwork, PolicyRefusal, owned_labels


def create_network(user: User, team: Team, name: str, subnet: str = "") -> str:
    """`docker network create [--subnet SUBNET] NAME` with the user's ownership (and lab)
    labels; its id."""
    grants = grants_for(user)
    if not grants.may_create_in(team.pk):
        raise PolicyRefusal("team", _("You may not create networks in this team."))
    checked = CheckedNetwork(name, owned_labels(grants, team, [{}]), subnet, seal=_SEAL)
    return engine_networks.create_network(checked)
