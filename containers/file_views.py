"""A container's files (`docker cp`, through the engine's archive endpoint): a folder's
listing, a file's page with its text to edit, downloads, and uploads into a folder."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from containers.actions import changeable
from dashboard.access.containers import access_owned_container
from dashboard.access.roles import Rights
from dashboard.actions import audit
from dashboard.actions import files as file_actions
from dashboard.engine.errors import EngineError
from dashboard.notation.names import container_name
from dashboard.notation.paths import container_path
from dashboard.policy.ownership import Kind
from dashboard.web import file_pages, uploads


def _place(container: dict[str, Any]) -> file_actions.Place:
    team_id = audit.team_of(Kind.CONTAINER, container["Id"])
    return file_actions.Place(container["Id"], container_name(container), team_id)


def files_url(container_id: str, path: str = "") -> str:
    base = reverse("containers:files", args=[container_id])
    return f"{base}?{urlencode({'path': path})}" if path else base


def container_files(request: HttpRequest, ref: str) -> HttpResponse:
    container, _owner, rights = access_owned_container(request.user, ref)
    return file_pages.browse(
        request,
        _place(container),
        "containers/files.html",
        may_write=rights is Rights.WRITE,
        base=files_url(container["Id"]),
        extra={"c": container},
    )


def container_file_download(request: HttpRequest, ref: str) -> HttpResponse:
    """The file itself, or the folder as a tar (`docker cp CONTAINER:PATH -`)."""
    with audit.denials_recorded(
        request.user, "file-download", target_kind="container", target_name=ref
    ):
        container, _owner, _rights = access_owned_container(request.user, ref)
    path = request.GET.get("path") or "/"
    return file_pages.download_response(request.user, _place(container), path)


@csrf_exempt  # checked by _upload, once the size is known to be within the limit
@require_POST
def container_file_upload(request: HttpRequest, ref: str) -> HttpResponse:
    """Files copied into the folder at ``?path=``. A body above the limit is refused before
    anything reads it (the CSRF check would read it to the end, onto the disk)."""
    if uploads.too_large(request):
        container = changeable(request.user, ref, "file-upload")
        messages.error(request, uploads.refusal())
        return redirect(files_url(container["Id"], request.GET.get("path") or "/"))
    return _upload(request, ref)


@csrf_protect
def _upload(request: HttpRequest, ref: str) -> HttpResponse:
    container = changeable(request.user, ref, "file-upload")
    path = request.GET.get("path") or "/"
    try:
        message = file_actions.upload(
            request.user, _place(container), path, request.FILES.getlist("files")
        )
    except EngineError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, message)
    return redirect(files_url(container["Id"], path))


@require_POST
def container_file_save(request: HttpRequest, ref: str) -> HttpResponse:
    """The edited text written over the file; on any failure the editor comes back with the
    user's text and the reason."""
    container = changeable(request.user, ref, "file-edit")
    place = _place(container)
    path = container_path(request.POST.get("path") or "/")
    text, digest = request.POST.get("text", ""), request.POST.get("digest", "")
    try:
        messages.success(request, file_actions.save_text(request.user, place, path, text, digest))
    except EngineError as error:
        context = {
            "c": container,
            **file_pages.browser_context(place, path, True, files_url(container["Id"])),
            "error": error.message,
            "text_file": file_actions.TextFile(path, text, digest),
        }
        return file_pages.render_browser(
            request, "containers/files.html", context, status=error.status
        )
    return redirect(files_url(container["Id"], path))
