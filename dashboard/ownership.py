"""Whether a volume or network on the engine is a user's own, by Dockboard's labels on it."""

import re

from dashboard import engine_networks, labels
from dashboard.engine import NotFound
from dashboard.grants import Grants
from dashboard.models import Team

OBJECT_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$", re.ASCII)


def owns(grants: Grants, team: Team, object_labels: dict[str, str] | None) -> bool:
    """Whether a volume or network is the user's own in the team (an instructor's: the team's)."""
    owner = object_labels or {}
    return owner.get(labels.TEAM) == str(team.pk) and (
        grants.roles.get(team.pk) == "instructor" or owner.get(labels.OWNER) == str(grants.user_id)
    )


def own_network(grants: Grants, team: Team, name: str) -> bool:
    if not OBJECT_NAME.match(name):
        return False
    try:
        network = engine_networks.inspect_network(name)
    except NotFound:
        return False
    return network.get("Driver") == "bridge" and owns(grants, team, network.get("Labels"))
