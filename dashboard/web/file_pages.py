"""The file browser's pages, for a container's files and a volume's alike: a folder's listing
or a file's page at ``?path=``, and its download. Links in the pages are relative
(``download/?path=…`` beside ``files/``), so one template serves both."""

import datetime
import posixpath
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from dashboard.access.roles import User
from dashboard.actions import files as file_actions
from dashboard.engine import files as engine_files
from dashboard.engine.errors import NotFound
from dashboard.notation.paths import container_path, parents
from dashboard.web.streaming import download

KINDS_FIRST = {"folder": 0, "link": 1, "file": 2, "other": 3}


def browser_context(
    place: file_actions.Place, path: str, may_write: bool, base: str
) -> dict[str, Any]:
    """What the browser shows beside the folder or file; ``base``: the files page's URL."""
    return {
        "place": place,
        "base": base,
        "command": place.download_command(path, folder=True),
        "path": path,
        "crumbs": parents(path),
        "may_write": may_write,
        "upload_most": settings.DOCKBOARD_UPLOAD_MAX_BYTES,
    }


def browse(
    request: HttpRequest,
    place: file_actions.Place,
    template: str,
    *,
    may_write: bool,
    base: str,
    extra: dict[str, Any],
) -> HttpResponse:
    """The folder or file at ``?path=`` (the top unless told); a link leads to where the engine
    resolves it, inside the container."""
    path = container_path(request.GET.get("path") or "/")
    context = {**extra, **browser_context(place, path, may_write, base)}
    try:
        found = engine_files.stat_path(place.container_id, place.inside(path))
        if found.is_link and (target := place.outside(found.link_target or "/")) is not None:
            return redirect(f"{base}?{urlencode({'path': target})}")
        if found.is_link:
            raise NotFound(path)  # it leads outside the volume
    except NotFound:
        context["missing"] = True
        return render_browser(request, template, context, status=404)
    context["stat"] = found
    if found.is_dir:
        folder = engine_files.list_folder(place.container_id, place.inside(path))
        context["entries"] = _rows(path, folder.entries)
        context["cut"] = folder.cut
    elif found.is_file:
        context["text_file"] = file_actions.read_text(place, path)
    return render_browser(request, template, context)


def render_browser(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The page, or only its browser for htmx (a folder opened in place)."""
    chosen = "files/browser.html" if request.htmx else template
    return render(request, chosen, context, status=status)


def _rows(directory: str, entries: list[engine_files.Entry]) -> list[dict[str, Any]]:
    rows = [
        {
            "entry": entry,
            "path": posixpath.join(directory, entry.name),
            "modified": datetime.datetime.fromtimestamp(entry.mtime, datetime.UTC),
        }
        for entry in entries
    ]
    return sorted(rows, key=lambda row: (KINDS_FIRST[row["entry"].kind], row["entry"].name))


def download_response(
    user: User, place: file_actions.Place, path: str, then: Callable[[], None] | None = None
) -> HttpResponse:
    """The file itself, or the folder as a tar; ``then`` is called once it is sent (or the
    browser went away)."""
    path = container_path(path)
    found = engine_files.stat_path(place.container_id, place.inside(path))
    folder = not found.is_file
    chunks = file_actions.download(user, place, path, folder)
    if then is not None:
        chunks = _then(chunks, then)
    name = posixpath.basename(path) or place.name
    if folder:
        return download(chunks, f"{name}.tar", "application/x-tar")
    return download(chunks, name, "application/octet-stream")


def _then(chunks: Iterator[bytes], then: Callable[[], None]) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        then()
