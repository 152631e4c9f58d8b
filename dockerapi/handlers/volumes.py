"""`docker volume` through the endpoint: the pages' gatekeeper, gate and actions (a volume is
one's own by Dockboard's record, never by its labels)."""

import secrets
from typing import Any

from channels.db import database_sync_to_async

from dashboard.access.objects import seen_by
from dashboard.access.volumes import access_volume
from dashboard.actions import audit
from dashboard.actions import volumes as actions
from dashboard.policy.ownership import Kind
from dockerapi import create_body, relay
from dockerapi.calls import ApiError, Call, Json

KNOWN = {"Name", "Driver", "DriverOpts", "Labels"}


async def listing(call: Call) -> Any:
    found = await relay.read_json(call, "/volumes")
    if isinstance(found, Json):
        return found
    volumes = found.get("Volumes") or []
    visible = await database_sync_to_async(seen_by)(call.user, Kind.VOLUME, volumes)
    await relay.record(call, "list", "docker volume ls")
    return Json({"Volumes": visible, "Warnings": found.get("Warnings") or []})


@database_sync_to_async
def _seen(call: Call, name: str) -> dict[str, Any]:
    with audit.denials_recorded(call.user, "inspect", target_kind="volume", target_name=name):
        return access_volume(call.user, name)


async def inspect(call: Call, name: str) -> Any:
    volume = await _seen(call, name)
    await relay.record(
        call, "inspect", f"docker volume inspect {name}", target_kind="volume", target_name=name
    )
    return Json(volume)


async def create(call: Call) -> Any:
    body = call.json()
    create_body.only_known(body, KNOWN, "a volume")
    if (body.get("Driver") or "local") != "local":
        raise ApiError(403, "Volumes use the local driver.")
    # A volume with no name gets one as the engine would give it: 64 hex digits.
    name = body.get("Name") or secrets.token_hex(32)

    def made() -> dict[str, Any]:
        labels, options = body.get("Labels") or {}, body.get("DriverOpts") or {}
        actions.create(call.user, call.token.team, str(name), labels, options)
        return access_volume(call.user, str(name))

    return Json(await database_sync_to_async(made)(), 201)


async def remove(call: Call, name: str) -> Any:
    await database_sync_to_async(actions.remove)(call.user, name)
    return Json(None, 204)
