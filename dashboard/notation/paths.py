"""Paths inside a container, as `docker cp CONTAINER:PATH` takes them."""

import posixpath

from django.utils.translation import gettext as _

from dashboard.engine.errors import BadParameter

MOST_CHARACTERS = 4096  # PATH_MAX


def container_path(text: str) -> str:
    """``text`` as an absolute path in the container, without a trailing slash ("/" for the
    root). A relative path, a ``..`` part or a NUL is refused, never cleaned into another path:
    what the user asked for is what is read or written, or nothing."""
    if not text.startswith("/") or "\0" in text or len(text) > MOST_CHARACTERS:
        raise BadParameter(_("A path in the container starts with “/”: %(path)s") % {"path": text})
    if ".." in text.split("/"):
        raise BadParameter(
            _("A path in the container cannot go up with “..”: %(path)s") % {"path": text}
        )
    return posixpath.normpath(text).replace("//", "/")


def parents(path: str) -> list[tuple[str, str]]:
    """Each folder from the root down to ``path``, as (name, path): the page's breadcrumbs."""
    crumbs, walked = [("/", "/")], ""
    for part in path.strip("/").split("/") if path != "/" else []:
        walked += "/" + part
        crumbs.append((part, walked))
    return crumbs
