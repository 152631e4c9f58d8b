"""The policy gate for networks: a user's own bridge network in a team, labelled as theirs so
that the gate lets their containers join it (and nobody else's); and connections of the user's
own containers to the user's own networks."""

from typing import Any

from django.utils.translation import gettext as _

from dashboard.access.roles import Rights, User, grants_for
from dashboard.engine import networks as engine_networks
from dashboard.models import Team
from dashboard.notation.names import NETWORK_ALIAS
from dashboard.policy import labels as label_keys
from dashboard.policy import ownership
from dashboard.policy.creation import owned_labels
from dashboard.policy.refusals import PolicyRefusal, check_for_team
from dashboard.policy.seal import SEAL
from dashboard.policy.sealed import CheckedConnection, CheckedNetwork


def create_network(
    user: User,
    team: Team | None,
    name: str,
    subnet: str = "",
    options: dict[str, str] | None = None,
    asked_labels: dict[str, str] | None = None,
    *,
    for_team: bool = False,
) -> str:
    """`docker network create [--subnet SUBNET] NAME` with the user's ownership (and lab)
    labels; its id. The subnet is Dockboard's choice (a lab's) or an administrator's.
    ``for_team``: an instructor makes it for the team, no member's yet (a class's warm pool)."""
    grants = grants_for(user)
    if team is None and not grants.admin:
        raise PolicyRefusal("team", _("Choose the team this network belongs to."))
    if team is not None and not grants.may_create_in(team.pk):
        raise PolicyRefusal("team", _("You may not create networks in this team."))
    if for_team:
        check_for_team(grants, team)
    if not ownership.OBJECT_NAME.match(name) or name in engine_networks.BUILTIN:
        raise PolicyRefusal(
            "name",
            _("Use letters, digits, and _ . - (at least two characters, starting with a "
              "letter or digit), and not the name of one of the engine's own networks."),
        )  # fmt: skip
    labels = owned_labels(grants, team, [asked_labels or {}], for_team=for_team)
    checked = CheckedNetwork(name, labels, subnet, options or {}, seal=SEAL)
    created = engine_networks.create_network(checked)
    ownership.record(
        ownership.Kind.NETWORK,
        created,
        None if for_team else grants.user_id,
        team and team.pk,
        lab_session=labels.get(label_keys.LAB_SESSION, ""),
    )
    return created


def create_user_network(
    user: User,
    team: Team | None,
    name: str,
    *,
    subnet: str,
    options: dict[str, str],
    asked_labels: dict[str, str],
) -> str:
    """A network asked for on the page: its subnet and driver options are an administrator's."""
    grants = grants_for(user)
    if subnet and not grants.admin:
        raise PolicyRefusal("subnet", _("Choosing a subnet is for administrators."))
    if options and not grants.admin:
        raise PolicyRefusal("options", _("Driver options are for administrators."))
    return create_network(user, team, name, subnet, options, asked_labels)


def connection(
    user: User, network: dict[str, Any], container: dict[str, Any], aliases: tuple[str, ...] = ()
) -> CheckedConnection:
    """`docker network connect [--alias NAME]`: the user's own container to the user's own
    bridge network in the same team (administrators: any)."""
    grants = grants_for(user)
    if not all(NETWORK_ALIAS.match(alias) for alias in aliases):
        raise PolicyRefusal("alias", _("A network alias is a host name: letters, digits, _ . -"))
    if not grants.admin:
        container_owner = ownership.owner_of(ownership.Kind.CONTAINER, container["Id"])
        network_owner = ownership.owner_of(ownership.Kind.NETWORK, network["Id"])
        own = (
            grants.rights(container_owner) is Rights.WRITE
            and grants.rights(network_owner) is Rights.WRITE
            and network.get("Driver") == "bridge"
            and container_owner.team_id == network_owner.team_id
        )
        if not own:
            raise PolicyRefusal(
                "container",
                _("Only your own containers join your own networks, in the same team."),
                status=403,
            )
    return CheckedConnection(network["Id"], container["Id"], tuple(aliases), seal=SEAL)
