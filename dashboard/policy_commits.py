"""The policy gate for `docker commit`: a member commits their own container only, to a name
their team's allow-list names and that no one else's image holds (a shared tag is never
overwritten); the image carries their ownership labels; `--change` takes the Dockerfile
instructions that describe an image, never a label of Dockboard's."""

import shlex
from typing import Any

from django.utils.translation import gettext as _

from dashboard import engine_images, labels
from dashboard.checked import _SEAL, CheckedCommit
from dashboard.engine import NotFound
from dashboard.grants import Rights, User, grants_for
from dashboard.models import Team
from dashboard.policy import PolicyRefusal, _owner_labels, check_image
from dashboard.reference import ImageReference

CHANGES = ("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "USER", "WORKDIR")


def checked_commit(
    user: User,
    container: dict[str, Any],
    target: ImageReference,
    message: str,
    author: str,
    changes: list[str],
) -> CheckedCommit:
    grants = grants_for(user)
    container_labels = container["Config"].get("Labels") or {}
    if grants.container_rights(container_labels) is not Rights.WRITE:
        raise PolicyRefusal("__all__", _("You may only look at this container."), status=403)
    for line in changes:
        _check_change(line)
    team_id = container_labels.get(labels.TEAM, "")
    team = Team.objects.filter(pk=int(team_id)).first() if team_id.isdecimal() else None
    if not grants.admin:
        if team is None:
            raise PolicyRefusal("__all__", _("Only administrators commit this container."), 403)
        try:
            check_image(team, target.familiar)
        except PolicyRefusal as refusal:
            raise PolicyRefusal("repository", refusal.message) from None
        _check_not_taken(grants.user_id, target)
    owner = _owner_labels(grants.user_id, team and team.pk)
    owned = [f"LABEL {shlex.quote(key)}={shlex.quote(value)}" for key, value in owner.items()]
    return CheckedCommit(
        container["Id"],
        target.familiar_repository,
        target.tag or "latest",
        message,
        author,
        [*changes, *owned],
        seal=_SEAL,
    )


def _check_change(line: str) -> None:
    instruction, _space, rest = line.strip().partition(" ")
    if instruction.upper() not in CHANGES or not rest.strip():
        raise PolicyRefusal(
            "changes",
            _("Use one of %(allowed)s with its arguments: %(line)s is not allowed.")
            % {"allowed": ", ".join(CHANGES), "line": repr(line[:80])},
        )
    if instruction.upper() == "LABEL" and labels.is_reserved(rest.strip().strip("\"'")):
        raise PolicyRefusal(
            "changes", _("Labels starting with dockboard. are set by Dockboard alone.")
        )


def _check_not_taken(user_id: int | None, target: ImageReference) -> None:
    try:
        existing = engine_images.inspect_image(target.familiar)
    except NotFound:
        return
    if (existing["Config"].get("Labels") or {}).get(labels.OWNER) != str(user_id):
        raise PolicyRefusal(
            "repository",
            _("%(name)s already names an image that is not yours: choose another name.")
            % {"name": target.familiar},
        )
