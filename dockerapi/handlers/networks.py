"""`docker network` through the endpoint: the pages' gatekeeper, gate and actions."""

from typing import Any

from channels.db import database_sync_to_async

from dashboard.access.networks import access_network, visible_networks
from dashboard.actions import audit
from dashboard.actions import networks as actions
from dockerapi import create_body, relay
from dockerapi.calls import ApiError, Call, Json

# Keys `docker network create` and compose send that change nothing for a bridge network left
# at defaults (Attachable is for swarm's overlay networks).
KNOWN = {"Name", "Driver", "Options", "Labels", "IPAM", "CheckDuplicate", "Scope", "Attachable"}


async def listing(call: Call) -> Any:
    found = await relay.read_json(call, "/networks")
    if isinstance(found, Json):
        return found
    seen = {n["Id"] for n in await database_sync_to_async(visible_networks)(call.user)}
    await relay.record(call, "list", "docker network ls")
    return Json([network for network in found if network.get("Id") in seen])


async def inspect(call: Call, ref: str) -> Any:
    def seen() -> dict[str, Any]:
        with audit.denials_recorded(call.user, "inspect", target_kind="network", target_name=ref):
            return access_network(call.user, ref)

    network = await database_sync_to_async(seen)()
    line = f"docker network inspect {network['Name']}"
    await relay.record(call, "inspect", line, target_kind="network", target_id=network["Id"])
    return Json(network)


def _subnet(ipam: Any) -> str:
    """The one subnet asked for (an administrator's choice), or none."""
    if not isinstance(ipam, dict) or (ipam.get("Driver") or "default") != "default":
        raise ApiError(403, "Networks use the default address management.")
    configs = ipam.get("Config") or []
    if ipam.get("Options") or len(configs) > 1 or any(set(c) - {"Subnet"} for c in configs):
        raise ApiError(403, "Dockboard lets a network name one subnet, nothing more.")
    return str(configs[0].get("Subnet") or "") if configs else ""


async def create(call: Call) -> Any:
    body = call.json()
    create_body.only_known(body, KNOWN, "a network")
    if (body.get("Driver") or "bridge") != "bridge":
        raise ApiError(403, "Networks are bridge networks.")
    asked = {
        "subnet": _subnet(body.get("IPAM") or {}),
        "options": body.get("Options") or {},
        "asked_labels": body.get("Labels") or {},
    }
    name = str(body.get("Name") or "")

    def made() -> str:
        return actions.create(call.user, call.token.team, name, **asked)[0]

    return Json({"Id": await database_sync_to_async(made)(), "Warning": ""}, 201)


async def remove(call: Call, ref: str) -> Any:
    await database_sync_to_async(actions.remove)(call.user, ref)
    return Json(None, 204)


async def connection(call: Call, ref: str, operation: str) -> Any:
    """`docker network connect` and `disconnect` of one's own container, by the pages' rules."""
    body = call.json()
    container = str(body.get("Container") or "")
    if operation == "disconnect":
        await database_sync_to_async(actions.disconnect)(call.user, ref, container)
        return Json(None, 200)
    endpoint = body.get("EndpointConfig") or {}
    aliases = endpoint.get("Aliases") if isinstance(endpoint, dict) else None
    rest = {k: v for k, v in endpoint.items() if k != "Aliases"} if aliases else endpoint
    if not create_body.is_empty(rest):
        raise ApiError(403, "Dockboard connects a container with names of its own only.")
    if aliases is not None and not create_body.is_strings(aliases):
        raise ApiError(400, "Aliases must be of type strings.")
    names = tuple(aliases or ())
    await database_sync_to_async(actions.connect)(call.user, ref, container, names)
    return Json(None, 200)
