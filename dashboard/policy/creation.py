"""The labels every create writes: the ones asked for, Dockboard's ownership, and an empty value
for each ``dockboard.*`` key the image carries (so that nothing is inherited from an image)."""

from django.dispatch import Signal
from django.utils.translation import gettext as _

from dashboard.access.roles import Grants
from dashboard.engine import images as engine_images
from dashboard.engine.errors import NotFound
from dashboard.models import Team
from dashboard.policy import labels, ownership
from dashboard.policy.refusals import PolicyRefusal

# Receivers (``user_id``, ``team_id``) return labels of Dockboard's own to add to what the user
# creates, e.g. the lab session it belongs to.
extra_labels = Signal()


def owned_labels(
    grants: Grants,
    team: Team | None,
    asked: list[dict[str, str]],
    image: str = "",
    *,
    for_team: bool = False,
) -> dict:
    """The labels to set: the first of ``asked`` with Dockboard's ownership added (no member's
    ``for_team``); a label of Dockboard's own in any of them is refused. Every ``dockboard.*``
    key the image carries is written too (empty unless Dockboard sets it), so that nothing is
    inherited from an image."""
    if any(labels.is_reserved(key) for label_set in asked for key in label_set):
        raise PolicyRefusal(
            "labels", _("Labels starting with dockboard. are set by Dockboard alone.")
        )
    shadowed = dict.fromkeys(reserved_image_labels(image), "")
    owner_id = None if for_team else grants.user_id
    owned = {**asked[0], **shadowed, **ownership.creation_labels(owner_id, team and team.pk)}
    for _receiver, added in extra_labels.send(
        sender=Grants, user_id=grants.user_id, team_id=team and team.pk
    ):
        owned.update(added or {})
    return owned


def reserved_image_labels(image: str) -> list[str]:
    """The image's labels that only Dockboard may set (an image anyone built can carry them)."""
    if not image:
        return []
    try:
        found = engine_images.inspect_image(image)
    except NotFound:  # the create says so
        return []
    return [key for key in (found["Config"].get("Labels") or {}) if labels.is_reserved(key)]
