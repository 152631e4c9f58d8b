"""Images through the endpoint: seen by everyone on a team, pulled through the policy gate."""

import base64
import binascii
import json
from typing import Any

from channels.db import database_sync_to_async

from dashboard.access.images import access_image, image_denied, may_manage_image, names_of
from dashboard.access.roles import grants_for
from dashboard.actions import audit, commits
from dashboard.actions import images as actions
from dashboard.engine import images as engine_images
from dashboard.notation.reference import ImageReference, InvalidReference, parse_reference
from dashboard.policy.images import check_pull
from dockerapi import create_body, relay
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
    stored = engine_images.registry_auth_header(checked)
    login = {b"x-registry-auth": stored.encode()} if stored and not _own_login(call) else None
    return await relay.forward(call, "/images/create", "pull", line, query, login, **target)


def _own_login(call: Call) -> bool:
    """The caller sent a login of their own (`docker login` on their side): it goes first. The
    CLI sends ``{}`` when it has none."""
    try:
        sent = json.loads(
            base64.urlsafe_b64decode(call.headers.get(b"x-registry-auth", b"") + b"==")
        )
    except (ValueError, binascii.Error):
        return False
    return isinstance(sent, dict) and bool(sent.get("username") or sent.get("identitytoken"))


def _reference(repository: str, tag: str) -> ImageReference:
    """``repository`` with ``tag``, as `docker tag` and `docker commit` send them."""
    try:
        target = parse_reference(repository + (f":{tag}" if tag else ""))
    except InvalidReference as exc:
        raise ApiError(400, exc.message) from None
    if target.digest:
        raise ApiError(400, "Name a tag, not a digest.")
    return target


async def tag(call: Call, ref: str) -> Any:
    """`docker tag`: the names one manages, as on the image's page."""
    target = _reference(call.query.get("repo", ""), call.query.get("tag", ""))
    await database_sync_to_async(actions.tag)(call.user, ref, target)
    return Json(None, 201)


async def remove(call: Call, ref: str) -> Any:
    """`docker rmi`: of an image whose every name (the one given, or all its tags for an id)
    the caller manages; the engine's own answer (what it untagged and deleted)."""

    target = {"target_kind": "image", "target_name": ref}

    def allowed() -> None:
        with audit.denials_recorded(call.user, "image-remove", **target):
            image = access_image(call.user, ref)
            if not may_manage_image(call.user, names_of(image, ref)):
                raise image_denied()

    await database_sync_to_async(allowed)()
    line = " ".join(["docker", "rmi", *["-f"] * call.flag("force"), ref])
    return await relay.forward(call, f"/images/{ref}", "image-remove", line, **target)


async def commit(call: Call) -> Any:
    """`docker commit`: the caller's container, through the gate (no `dockboard.*` label, a
    name one may use), as the commit page does."""
    if not create_body.is_empty(call.json()):
        raise ApiError(403, "Dockboard takes a commit's changes as --change lines only.")
    data = {
        "repository": _reference(call.query.get("repo", ""), call.query.get("tag", "")),
        "message": call.query.get("comment", ""),
        "author": call.query.get("author", ""),
        "changes": [line.strip() for line in call.query_all("changes") if line.strip()],
    }
    container = call.query.get("container", "")
    image_id, _message = await database_sync_to_async(commits.commit_to_image)(
        call.user, container, data
    )
    return Json({"Id": image_id}, 201)
