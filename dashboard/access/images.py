"""The gatekeeper of images: engine-wide, seen by everyone on a team, tagged and removed by
administrators and by the instructors whose team's allow-list holds every name touched."""

import contextlib
from typing import Any

from django.utils.translation import gettext as _

from dashboard.access.objects import (
    inspected,
    seen_by,
)
from dashboard.access.roles import User, grants_for
from dashboard.engine import images as engine_images
from dashboard.engine.errors import Denied, NotFound
from dashboard.models import Membership, Team
from dashboard.notation.reference import InvalidReference, parse_reference
from dashboard.policy.image_patterns import matches
from dashboard.policy.ownership import Kind


def visible_images(user: User) -> list[dict[str, Any]]:
    """Images are engine-wide: everyone on a team sees them all."""
    if not grants_for(user).has_team:
        return []
    return engine_images.list_images()


def containers_using_image(user: User, image_id: str) -> list[dict[str, Any]]:
    """The containers made from the image that the user may see."""
    return seen_by(user, Kind.CONTAINER, engine_images.containers_using_image(image_id))


def local_image_tags(user: User) -> list[str]:
    """The tags of the local images, to pick from when creating a container."""
    return sorted(tag for image in visible_images(user) for tag in image.get("RepoTags") or [])


def access_image(user: User, ref: str, *, change: bool = False) -> dict[str, Any]:
    """The image's inspect data; ``NotFound`` alike for a missing one and a user with no team;
    with ``change`` (tag, remove), ``Denied`` unless they may manage every name ``ref`` stands
    for: the tag it names, or every tag of the image when it names an id or a digest."""
    missing = _("No such image: %(ref)s")
    if not grants_for(user).has_team:
        raise NotFound(missing % {"ref": ref})
    image = inspected(engine_images.inspect_image, ref, missing)
    if change and not may_manage_image(user, names_of(image, ref)):
        raise image_denied()
    return image


def image_denied() -> Denied:
    return Denied(
        _("Only administrators and the instructors whose team allows it manage this image.")
    )


def names_of(image: dict[str, Any], ref: str) -> list[str]:
    """The names a change through ``ref`` touches: the tag it names, or all the image's tags
    (an id or a digest stands for the whole image)."""
    tag = _named_tag(image, ref)
    return [tag] if tag else list(image.get("RepoTags") or [])


def _named_tag(image: dict[str, Any], ref: str) -> str | None:
    """The image's tag that ``ref`` names (``busybox`` names ``busybox:latest``), or None."""
    try:
        wanted = parse_reference(ref)
    except InvalidReference:
        return None
    for tag in image.get("RepoTags") or []:
        with contextlib.suppress(InvalidReference):
            if not wanted.digest and parse_reference(tag) == wanted:
                return tag
    return None


def may_manage_image(user: User, references: list[str]) -> bool:
    """Whether the user manages every one of these names (an image known by no name is the
    administrators' alone)."""
    if grants_for(user).admin:
        return True
    return bool(references) and manageable_names(user, references) == references


def manageable_names(user: User, references: list[str]) -> list[str]:
    """The names the user may tag and untag: all (administrators), those their teams' allow-lists
    hold (instructors), none (everyone else)."""
    grants = grants_for(user)
    if grants.admin:
        return list(references)
    teams = Team.objects.filter(pk__in=grants.teams_with(Membership.Role.INSTRUCTOR))
    patterns = [team.image_patterns for team in teams]
    return [ref for ref in references if any(matches(allowed, ref) for allowed in patterns)]
