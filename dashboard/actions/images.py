"""Tag, remove and prune images, each with the `docker` command line it stands for."""

import shlex
from typing import Any

from django.utils.translation import gettext as _

from dashboard.access.images import (
    access_image,
    image_denied,
    manageable_names,
    may_manage_image,
    names_of,
)
from dashboard.access.roles import User, require_administrator
from dashboard.actions import audit
from dashboard.actions.done import done
from dashboard.engine import images as engine_images
from dashboard.engine.errors import Conflict, Denied
from dashboard.notation.names import container_name
from dashboard.notation.reference import ImageReference
from dashboard.policy.labels import has_label, label_filter_args


def _manageable(user: User, ref: str, action: str, extra: list[str] = ()) -> dict[str, Any]:
    """The image, if the user may manage it (and the other names it would get); refusals and
    denials are audited."""
    with audit.denials_recorded(user, action, target_kind="image", target_name=ref):
        image = access_image(user, ref, change=True)
        if extra and not may_manage_image(user, list(extra)):
            raise Denied(_("Your team's allow-list does not name %(name)s.") % {"name": extra[0]})
    return image


def tag(user: User, ref: str, target: ImageReference) -> str:
    image = _manageable(user, ref, "tag", [str(target)])
    command = shlex.join(
        ["docker", "tag", image["Id"].removeprefix("sha256:")[:12], target.familiar]
    )
    with audit.audited(user, "tag", command, target_kind="image", target_name=target.familiar):
        engine_images.tag_image(image["Id"], target.familiar_repository, target.tag or "latest")
    return done(_("Tagged %(target)s") % {"target": target.familiar}, command)


def remove(user: User, ref: str, *, force: bool) -> str:
    """`docker rmi`: a tag is untagged (the image goes with its last tag); an id removes the
    image, or, for an instructor whose allow-list names only some of its tags, untags those."""
    image = access_image(user, ref)
    names = names_of(image, ref)
    if may_manage_image(user, names):
        command = shlex.join(["docker", "rmi", *(["-f"] if force else []), ref])
        with audit.audited(user, "image-remove", command, target_kind="image", target_name=ref):
            _remove(image, ref, force)
        return done(_("Removed %(name)s") % {"name": ref}, command)
    allowed = manageable_names(user, names)
    if not allowed:
        with audit.denials_recorded(user, "image-remove", target_kind="image", target_name=ref):
            raise image_denied()
    command = shlex.join(["docker", "rmi", *allowed])
    for name in allowed:
        with audit.audited(
            user, "image-remove", shlex.join(["docker", "rmi", name]), target_kind="image",
            target_name=name,
        ):  # fmt: skip
            engine_images.remove_image(name, force=False)
    kept = ", ".join(name for name in names if name not in allowed)
    message = _(
        "Untagged %(names)s; %(kept)s is not on your team's allow-list and keeps the image."
    )
    return done(message % {"names": ", ".join(allowed), "kept": kept}, command)


def _remove(image: dict[str, Any], ref: str, force: bool) -> None:
    try:
        engine_images.remove_image(ref, force=force)
    except Conflict as conflict:
        users = engine_images.containers_using_image(image["Id"])
        names = ", ".join(container_name(c) for c in users)
        if not names:
            raise
        raise Conflict(
            _("%(message)s — used by: %(names)s. Remove those containers first, or force.")
            % {"message": conflict.message, "names": names}
        ) from conflict


def dangling_images(images: list[dict[str, Any]], label: str = "") -> list[dict[str, Any]]:
    """What `docker image prune` would remove: images with no tag (and ``label``, if given)."""
    return [
        i
        for i in images
        if not [t for t in i.get("RepoTags") or [] if t != "<none>:<none>"] and has_label(i, label)
    ]


def prune(user: User, label: str = "") -> tuple[list[str], int, str]:
    """Deleted ids, the bytes reclaimed, and the command; administrators only (dangling images
    have no name an allow-list could match)."""
    command = shlex.join(["docker", "image", "prune", "-f", *label_filter_args(label)])
    with audit.denials_recorded(user, "image-prune", target_kind="image", command=command):
        require_administrator(user, _("Only administrators prune images."))
    result = engine_images.prune_dangling_images(label)
    deleted = [e["Deleted"] for e in result.get("ImagesDeleted") or [] if "Deleted" in e]
    audit.record(
        user, "image-prune", target_kind="image", target_name=str(len(deleted)), command=command
    )
    return deleted, result.get("SpaceReclaimed", 0), command
