"""The gatekeeper: every view and consumer reaches engine objects through these functions.

"Not found" and "not allowed to see" raise the same ``NotFound``, so a user cannot probe for
objects they may not see. An object they may see but not change answers ``Denied`` (403) to a
change. The rules are in ``dashboard.grants``.
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from dashboard import engine
from dashboard.engine import Denied, NotFound
from dashboard.grants import Rights, User, grants_for
from dashboard.image_patterns import matches
from dashboard.models import Membership, Team
from images.models import PullJob


def visible_containers(user: User) -> list[dict[str, Any]]:
    """The containers the user may see, from one engine list call narrowed by label."""
    grants = grants_for(user)
    filters = grants.list_filters()
    if filters is None:
        return []
    summaries = engine.list_containers(filters)
    if grants.admin:
        return summaries
    return [s for s in summaries if grants.container_rights(s.get("Labels"))]


def visible_images(user: User) -> list[dict[str, Any]]:
    """Images are engine-wide: everyone on a team sees them all."""
    if not grants_for(user).has_team:
        return []
    return engine.list_images()


def containers_using_image(user: User, image_id: str) -> list[dict[str, Any]]:
    """The containers made from the image that the user may see."""
    grants = grants_for(user)
    return [
        c
        for c in engine.containers_using_image(image_id)
        if grants.container_rights(c.get("Labels"))
    ]


def local_image_tags(user: User) -> list[str]:
    """The tags of the local images, to pick from when creating a container."""
    return sorted(tag for image in visible_images(user) for tag in image.get("RepoTags") or [])


def _inspect(lookup: Callable[[str], dict[str, Any]], ref: str, missing: str) -> dict[str, Any]:
    try:
        return lookup(ref)
    except NotFound:
        raise NotFound(missing % {"ref": ref}) from None


def access_container(user: User, ref: str, *, change: bool = False) -> dict[str, Any]:
    """The container's inspect data; ``NotFound`` alike for a missing or hidden one, and
    ``Denied`` when ``change`` is asked of a user who may only look."""
    missing = _("No such container: %(ref)s")
    grants = grants_for(user)
    if not grants.has_team:
        raise NotFound(missing % {"ref": ref})
    container = _inspect(engine.inspect_container, ref, missing)
    rights = grants.container_rights(container["Config"].get("Labels"))
    if rights is Rights.NONE:
        raise NotFound(missing % {"ref": ref})
    if change and rights is not Rights.WRITE:
        raise Denied(_("You may only look at this container."))
    return container


def may_change_container(user: User, container: dict[str, Any]) -> bool:
    return grants_for(user).container_rights(container["Config"].get("Labels")) is Rights.WRITE


def access_image(user: User, ref: str, *, change: bool = False) -> dict[str, Any]:
    """The image's inspect data; ``NotFound`` alike for a missing one and a user with no team;
    with ``change`` (tag, remove), ``Denied`` unless they may manage it."""
    missing = _("No such image: %(ref)s")
    if not grants_for(user).has_team:
        raise NotFound(missing % {"ref": ref})
    image = _inspect(engine.inspect_image, ref, missing)
    if change and not may_manage_image(user, [ref, *(image.get("RepoTags") or [])]):
        raise Denied(
            _("Only administrators and the instructors whose team allows it manage this image.")
        )
    return image


def may_manage_image(user: User, references: list[str]) -> bool:
    """Administrators manage every image; instructors those their team's allow-list names."""
    grants = grants_for(user)
    if grants.admin:
        return True
    teams = Team.objects.filter(pk__in=grants.teams_with(Membership.Role.INSTRUCTOR))
    return any(matches(team.image_patterns, ref) for team in teams for ref in references)


def visible_pull_jobs(user: User) -> Any:
    """Administrators follow every pull; everyone else the pulls they asked for."""
    grants = grants_for(user)
    jobs = PullJob.objects.select_related("requested_by")
    if grants.admin:
        return jobs
    return jobs.filter(requested_by_id=grants.user_id) if grants.has_team else jobs.none()


def access_pull_job(user: User, job_id: object) -> PullJob:
    """A pull job, or ``NotFound`` alike for a missing or hidden one."""
    job = visible_pull_jobs(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No such pull: %(ref)s") % {"ref": job_id})
    return job
