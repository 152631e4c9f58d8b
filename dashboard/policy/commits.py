"""The policy gate for `docker commit`: a member commits their own container only, to a name
their team's allow-list names and that no one else's image holds (a shared tag is never
overwritten); who owns the image is recorded by Dockboard, not written on it (the container's
``dockboard.*`` labels are emptied in the image, as anyone can build an image with such labels);
`--change` takes the Dockerfile instructions that describe an image, never a label of
Dockboard's."""

import shlex
from typing import Any

from django.utils.translation import gettext as _

from dashboard.access.roles import Rights, User, grants_for
from dashboard.models import Team
from dashboard.notation.reference import ImageReference
from dashboard.policy import labels, ownership
from dashboard.policy.images import check_image, check_not_taken
from dashboard.policy.refusals import PolicyRefusal
from dashboard.policy.seal import SEAL
from dashboard.policy.sealed import CheckedCommit

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
    owner = ownership.owner_of(ownership.Kind.CONTAINER, container["Id"])
    if grants.rights(owner) is not Rights.WRITE:
        raise PolicyRefusal("__all__", _("You may only look at this container."), status=403)
    for line in changes:
        _check_change(line)
    team = Team.objects.filter(pk=owner.team_id).first() if owner and owner.team_id else None
    if not grants.admin:
        if team is None:
            raise PolicyRefusal("__all__", _("Only administrators commit this container."), 403)
        try:
            check_image(team, target.familiar)
        except PolicyRefusal as refusal:
            raise PolicyRefusal("repository", refusal.message) from None
        check_not_taken(grants.user_id, target, "repository")
    container_labels = container["Config"].get("Labels") or {}
    emptied = [
        f"LABEL {shlex.quote(key)}=''"
        for key in sorted(container_labels)
        if labels.is_reserved(key)
    ]
    return CheckedCommit(
        container["Id"],
        target.familiar_repository,
        target.tag or "latest",
        message,
        author,
        [*changes, *emptied],
        owner_id=grants.user_id,
        team_id=team and team.pk,
        seal=SEAL,
    )


def committed(checked: CheckedCommit, image_id: str) -> None:
    """Record who owns the image a checked commit made."""
    ownership.record(ownership.Kind.IMAGE, image_id, checked.owner_id, checked.team_id)


def _check_change(line: str) -> None:
    instruction, _space, rest = line.strip().partition(" ")
    if instruction.upper() not in CHANGES or not rest.strip():
        raise PolicyRefusal(
            "changes",
            _("Use one of %(allowed)s with its arguments: %(line)s is not allowed.")
            % {"allowed": ", ".join(CHANGES), "line": repr(line[:80])},
        )
    if instruction.upper() == "LABEL" and any(labels.is_reserved(key) for key in _label_keys(rest)):
        raise PolicyRefusal(
            "changes", _("Labels starting with dockboard. are set by Dockboard alone.")
        )


def _label_keys(arguments: str) -> list[str]:
    """Every key a LABEL line sets: each KEY=VALUE pair's, or the first word of the old
    ``LABEL KEY VALUE`` form; a line that does not split as the builder's would is refused."""
    try:
        words = shlex.split(arguments)
    except ValueError:
        raise PolicyRefusal("changes", _("A LABEL line has an unclosed quote.")) from None
    if words and "=" not in words[0]:
        return [words[0]]
    return [word.partition("=")[0] for word in words]
