"""The policy gate for writing into a container's files (`docker cp - CONTAINER:DIR`): only a
user who may change the container, within the installation's size limit. Reading needs only the
right to look, which the gatekeeper (``dashboard.access``) checks."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from dashboard.access.roles import Rights, User, grants_for
from dashboard.notation.paths import container_path
from dashboard.notation.units import format_size
from dashboard.policy import ownership
from dashboard.policy.refusals import PolicyRefusal
from dashboard.policy.seal import SEAL
from dashboard.policy.sealed import CheckedUpload


def checked_upload(
    user: User, container_id: str, directory: str, archive: Any, size: int, *, as_tarred: bool
) -> CheckedUpload:
    """``as_tarred``: the files keep the owner the tar gives them (a file edited in place keeps
    its own); otherwise they become the container's user's, as `docker cp` makes them."""
    owner = ownership.owner_of(ownership.Kind.CONTAINER, container_id)
    if grants_for(user).rights(owner) is not Rights.WRITE:
        raise PolicyRefusal("files", _("You may only look at this container."), status=403)
    most = settings.DOCKBOARD_UPLOAD_MAX_BYTES
    if size > most:
        raise PolicyRefusal(
            "files",
            _("%(size)s is more than the %(most)s a copy into a container may hold.")
            % {"size": format_size(size), "most": format_size(most)},
            status=413,
        )
    return CheckedUpload(
        container_id,
        container_path(directory),
        archive,
        size,
        owned_by_container_user=not as_tarred,
        seal=SEAL,
    )
