"""A volume's files: browsed and downloaded through a container the gate makes to read them
(``dashboard.policy.volume_readers``). Changed through a container that mounts the volume,
whose files page the volume's page links to: that one's user and rights apply."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from dashboard.access.containers import visible_containers
from dashboard.access.volumes import access_volume_with_rights
from dashboard.actions import audit
from dashboard.actions import files as file_actions
from dashboard.engine import reader_image
from dashboard.engine import volumes as engine_volumes
from dashboard.policy import volume_readers
from dashboard.policy.ownership import Kind
from dashboard.web import file_pages


def _place(volume: dict[str, Any], reader: str) -> file_actions.Place:
    name = volume["Name"]
    team_id = audit.team_of(Kind.VOLUME, name)
    return file_actions.Place(reader, name, team_id, "volume", reader_image.MOUNT_POINT)


def mounts(request: HttpRequest, name: str) -> list[dict[str, str]]:
    """The containers the user may see that mount the volume, and where."""
    seen = {c["Id"] for c in visible_containers(request.user)}
    return [
        {"container": container, "destination": mount["Destination"]}
        for container in engine_volumes.containers_using_volume(name)
        if container["Id"] in seen
        for mount in container.get("Mounts") or []
        if mount.get("Type") == "volume" and mount.get("Name") == name
    ]


def volume_files(request: HttpRequest, name: str) -> HttpResponse:
    volume, _rights = access_volume_with_rights(request.user, name)
    reader = volume_readers.reading_container(request.user, volume)
    try:
        return file_pages.browse(
            request,
            _place(volume, reader),
            "volumes/files.html",
            may_write=False,
            base=reverse("volumes:files", args=[name]),
            extra={"volume": volume, "mounts": mounts(request, name)},
        )
    finally:
        volume_readers.remover(reader)()


def volume_file_download(request: HttpRequest, name: str) -> HttpResponse:
    with audit.denials_recorded(
        request.user, "file-download", target_kind="volume", target_name=name
    ):
        volume, _rights = access_volume_with_rights(request.user, name)
    reader = volume_readers.reading_container(request.user, volume)
    remove = volume_readers.remover(reader)
    try:
        path = request.GET.get("path") or "/"
        return file_pages.download_response(request.user, _place(volume, reader), path, remove)
    except BaseException:
        remove()
        raise
