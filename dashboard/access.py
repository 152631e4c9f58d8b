"""The gatekeeper: every view and consumer reaches engine objects through these functions.

"Not found" and "not allowed" raise the same ``NotFound``, so a user cannot probe for objects
they may not see. Today every signed-in, active user may see everything; per-user rules go here.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from dashboard import engine
from dashboard.engine import NotFound
from images.models import PullJob

type User = AbstractBaseUser | AnonymousUser


def _may_use_engine(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def may_use_host_resources(user: User) -> bool:
    """Host paths and the host network reach outside the container: administrators only."""
    return _may_use_engine(user) and bool(getattr(user, "is_superuser", False))


def visible_containers(user: User) -> list[dict[str, Any]]:
    if not _may_use_engine(user):
        return []
    return engine.list_containers()


def visible_images(user: User) -> list[dict[str, Any]]:
    if not _may_use_engine(user):
        return []
    return engine.list_images()


def local_image_tags(user: User) -> list[str]:
    """The tags of the local images, to pick from when creating a container."""
    return sorted(tag for image in visible_images(user) for tag in image.get("RepoTags") or [])


def _access(user: User, lookup: Callable[[str], dict[str, Any]], ref: str, missing: str) -> dict:
    if _may_use_engine(user):
        try:
            return lookup(ref)
        except NotFound:
            pass
    raise NotFound(missing % {"ref": ref})


def access_container(user: User, ref: str) -> dict[str, Any]:
    """The container's inspect data, or ``NotFound`` alike for a missing or forbidden one."""
    return _access(user, engine.inspect_container, ref, _("No such container: %(ref)s"))


def access_image(user: User, ref: str) -> dict[str, Any]:
    """The image's inspect data, or ``NotFound`` alike for a missing or forbidden one."""
    return _access(user, engine.inspect_image, ref, _("No such image: %(ref)s"))


def access_pull_job(user: User, job_id: object) -> PullJob:
    """A pull job (anyone signed in follows, cancels and retries any pull, as with images), or
    ``NotFound`` alike for a missing or forbidden one."""
    job = PullJob.objects.filter(pk=job_id).first() if _may_use_engine(user) else None
    if job is None:
        raise NotFound(_("No such pull: %(ref)s") % {"ref": job_id})
    return job
