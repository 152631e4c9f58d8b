"""The gatekeeper of networks: the user's own, and the engine's (bridge, host, none), which only
administrators change."""

from typing import Any

from django.utils.translation import gettext as _

from dashboard.access.objects import access_owned, inspected, visible_with_rights
from dashboard.access.roles import Rights, User, grants_for
from dashboard.engine import networks as engine_networks
from dashboard.engine.errors import Denied, NotFound
from dashboard.policy.ownership import Kind


def visible_networks(user: User) -> list[dict[str, Any]]:
    """The user's networks, and the engine's own (bridge, host, none) for everyone on a team."""
    if not grants_for(user).has_team:
        return []
    mine = own_networks_with_rights(user)[0]
    if grants_for(user).admin:
        return mine
    known = {network["Id"] for network in mine}
    builtin = engine_networks.list_networks([], builtin=True)
    return mine + [network for network in builtin if network["Id"] not in known]


def own_networks_with_rights(user: User) -> tuple[list[dict], dict[str, Rights]]:
    """The networks the user may see but the engine's own (every network, for administrators),
    and the user's rights on each, by id."""
    return visible_with_rights(user, Kind.NETWORK, engine_networks.list_networks)


def access_network(user: User, ref: str, *, change: bool = False) -> dict[str, Any]:
    """The network's inspect data; the engine's own networks are read-only for all but
    administrators; ``NotFound`` alike for a missing or hidden one."""
    return access_network_with_rights(user, ref, change=change)[0]


def access_network_with_rights(
    user: User, ref: str, *, change: bool = False
) -> tuple[dict[str, Any], Rights]:
    """``access_network``, with the user's rights on the network."""
    missing = _("No such network: %(ref)s")
    grants = grants_for(user)
    if not grants.has_team:
        raise NotFound(missing % {"ref": ref})
    network = inspected(engine_networks.inspect_network, ref, missing)
    read_only = _("You may only look at this network.")
    if network.get("Name") in engine_networks.BUILTIN and not grants.admin:
        if change:
            raise Denied(read_only)
        return network, Rights.READ
    return access_owned(user, Kind.NETWORK, network, change, missing % {"ref": ref}, read_only)


def usable_network_names(user: User) -> list[str]:
    """The networks the user's containers may join: bridge, none, and their own bridges."""
    networks, rights = own_networks_with_rights(user)
    own = [
        network["Name"]
        for network in networks
        if network.get("Driver") == "bridge"
        and network["Name"] not in engine_networks.BUILTIN
        and rights[network["Id"]] is Rights.WRITE
    ]
    return ["bridge", "none", *sorted(own)]
