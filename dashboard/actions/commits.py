"""`docker commit` through the gate: the container's layer becomes the top layer of a new image,
audited with its command line (the commit page and the Engine API endpoint both come here)."""

import shlex
from typing import Any

from django.utils.translation import gettext as _

from dashboard.access.containers import access_container
from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.actions.done import done
from dashboard.engine import containers as engine_containers
from dashboard.notation.names import container_name
from dashboard.notation.reference import ImageReference
from dashboard.policy import commits as policy_commits


def command_line(
    container_name: str, target: str, message: str, author: str, changes: list[str]
) -> str:
    args = ["docker", "commit"]
    if message:
        args += ["-m", message]
    if author:
        args += ["-a", author]
    for change in changes:
        args += ["--change", change]
    return shlex.join([*args, container_name, target])


def commit_to_image(user: User, ref: str, data: dict[str, Any]) -> tuple[str, str]:
    """The new image's id and the message to show."""
    with audit.denials_recorded(user, "commit", target_kind="container", target_name=ref):
        container = access_container(user, ref, change=True)
    target: ImageReference = data["repository"]
    name = container_name(container)
    command = command_line(name, target.familiar, data["message"], data["author"], data["changes"])
    target_of = {"target_kind": "image", "target_name": target.familiar}
    with audit.audited(user, "commit", command, **target_of):
        checked = policy_commits.checked_commit(
            user, container, target, data["message"], data["author"], data["changes"]
        )
        image_id = engine_containers.commit_container(checked)
    policy_commits.committed(checked, image_id)
    message = _("Committed %(name)s as %(image)s") % {"name": name, "image": target.familiar}
    return image_id, done(message, command)
