"""Images through the endpoint: seen by everyone on a team, pulled through the policy gate."""

from typing import Any

from channels.db import database_sync_to_async

from dashboard.access.images import access_image
from dashboard.access.roles import grants_for
from dashboard.actions import audit
from dashboard.notation.reference import InvalidReference, parse_reference
from dashboard.policy.images import check_pull
from dockerapi import relay
from dockerapi.calls import ApiError, Call, Json


async def listing(call: Call) -> Any:
    """`docker images`: images are engine-wide, so the engine's list for anyone on a team."""
    if not await database_sync_to_async(lambda: grants_for(call.user).has_team)():
        return Json([])
    return await relay.forward(call, "/images/json", "list", "docker images")


async def inspect(call: Call, ref: str) -> Any:
    def found() -> dict:
        target = {"target_kind": "image", "target_name": ref}
        with audit.denials_recorded(call.user, "inspect", **target):
            return access_image(call.user, ref)

    image = await database_sync_to_async(found)()
    await relay.record(
        call, "inspect", f"docker image inspect {ref}", target_kind="image", target_id=image["Id"]
    )
    return Json(image)


async def pull(call: Call) -> Any:
    """`docker pull`, through the gate's registry and allow-list checks; the engine's progress
    is streamed to the caller as it comes. One tag a pull: `pull --all-tags` is refused."""
    if call.query.get("fromSrc") or call.body:
        raise ApiError(403, "Dockboard does not let docker import through to the engine.")
    name, tag = call.query.get("fromImage", ""), call.query.get("tag", "")
    if not tag and "@" not in name and ":" not in name.rpartition("/")[2]:
        raise ApiError(403, "Name one tag to pull: Dockboard does not pull every tag.")
    separator = "@" if tag.startswith("sha256:") else ":"
    try:
        reference = parse_reference(name + (separator + tag if tag else ""))
    except InvalidReference as exc:
        raise ApiError(400, str(exc)) from None
    checked = await database_sync_to_async(check_pull)(call.user, reference)
    query = {"fromImage": checked.reference.repository, "tag": checked.reference.pull_tag}
    if platform := call.query.get("platform"):
        query["platform"] = platform
    line = f"docker pull {reference.familiar}"
    target = {"target_kind": "image", "target_name": reference.familiar}
    return await relay.forward(call, "/images/create", "pull", line, query, **target)
