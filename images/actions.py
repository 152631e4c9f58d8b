"""Tag, remove and prune images, each with the `docker` command line it stands for."""

import shlex
from typing import Any

from django.utils.translation import gettext as _

from dashboard import engine
from dashboard.access import User, access_image
from dashboard.engine import Conflict
from dashboard.labels import has_label, label_filter_args
from images.reference import ImageReference


def tag(user: User, ref: str, target: ImageReference) -> str:
    image = access_image(user, ref)
    engine.tag_image(image["Id"], target.familiar_repository, target.tag or "latest")
    command = shlex.join(
        ["docker", "tag", image["Id"].removeprefix("sha256:")[:12], target.familiar]
    )
    return _("Tagged %(target)s") % {"target": target.familiar} + f" — {command}"


def remove(user: User, ref: str, *, force: bool) -> str:
    """`docker rmi`: a tag is untagged (the image goes with its last tag); an id removes it."""
    image = access_image(user, ref)
    try:
        engine.remove_image(ref, force=force)
    except Conflict as conflict:
        users = engine.containers_using_image(image["Id"])
        names = ", ".join((c.get("Names") or ["?"])[0].lstrip("/") for c in users)
        if not names:
            raise
        raise Conflict(
            _("%(message)s — used by: %(names)s. Remove those containers first, or force.")
            % {"message": conflict.message, "names": names}
        ) from conflict
    command = shlex.join(["docker", "rmi", *(["-f"] if force else []), ref])
    return _("Removed %(name)s") % {"name": ref} + f" — {command}"


def dangling_images(images: list[dict[str, Any]], label: str = "") -> list[dict[str, Any]]:
    """What `docker image prune` would remove: images with no tag (and ``label``, if given)."""
    return [
        i
        for i in images
        if not [t for t in i.get("RepoTags") or [] if t != "<none>:<none>"] and has_label(i, label)
    ]


def prune(label: str = "") -> tuple[list[str], int, str]:
    """Deleted ids, the bytes reclaimed, and the command."""
    result = engine.prune_dangling_images(label)
    deleted = [e["Deleted"] for e in result.get("ImagesDeleted") or [] if "Deleted" in e]
    command = ["docker", "image", "prune", "-f", *label_filter_args(label)]
    return deleted, result.get("SpaceReclaimed", 0), shlex.join(command)
