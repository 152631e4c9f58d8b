"""A build's context, as `docker build` sends it: the Dockerfile the gate checked, with the
files of an uploaded tar (plain or compressed) or zip beside it. The uploaded archive is
written again as a plain tar, entry by entry, so that what reaches the engine holds nothing
but relative paths inside the context, and its Dockerfile is always the checked one."""

import io
import posixpath
import tarfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from dashboard.engine.errors import BadParameter

DOCKERFILE = "Dockerfile"


def uploaded_dockerfile(upload: IO[bytes]) -> str:
    """The Dockerfile at the top of an uploaded context; "" when it has none."""
    for info, data in _members(upload):
        if info.name == DOCKERFILE and data is not None:
            return data.read().decode("utf-8", "replace")
    return ""


def write(dockerfile: str, upload: IO[bytes] | None, path: Path) -> None:
    """The context to ``path``: the upload's files (if any), and ``dockerfile``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file, tarfile.open(fileobj=file, mode="w") as tar:
        if upload is not None:
            for info, data in _members(upload):
                if info.name != DOCKERFILE:
                    tar.addfile(info, data)
        _add_dockerfile(tar, dockerfile)


def dockerfile_only(dockerfile: str) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        _add_dockerfile(tar, dockerfile)
    buffer.seek(0)
    return buffer


def _add_dockerfile(tar: tarfile.TarFile, dockerfile: str) -> None:
    content = dockerfile.encode()
    info = tarfile.TarInfo(DOCKERFILE)
    info.size, info.mtime, info.mode = len(content), time.time(), 0o644
    tar.addfile(info, io.BytesIO(content))


def _safe(name: str) -> str | None:
    """The entry's path inside the context; None for one that leaves it (absolute, ``..``).
    Only a leading ``./`` goes: ``.dockerignore`` keeps its dot."""
    while name.startswith("./"):
        name = name[2:]
    name = posixpath.normpath(name or ".")
    if name == "." or name.startswith("/") or name == ".." or name.startswith("../"):
        return None
    return name


def _members(upload: IO[bytes]) -> Iterator[tuple[tarfile.TarInfo, IO[bytes] | None]]:
    """Each entry of the upload that stays inside the context, with its data for a file."""
    upload.seek(0)
    if zipfile.is_zipfile(upload):
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            for entry in archive.infolist():
                name = _safe(entry.filename)
                if name is None:
                    continue
                info = tarfile.TarInfo(name)
                info.mtime = time.mktime((*entry.date_time, 0, 0, -1))
                if entry.is_dir():
                    info.type, info.mode = tarfile.DIRTYPE, 0o755
                    yield info, None
                else:
                    info.size, info.mode = entry.file_size, (entry.external_attr >> 16) or 0o644
                    yield info, archive.open(entry)
        return
    upload.seek(0)
    try:
        with tarfile.open(fileobj=upload, mode="r:*") as archive:
            for info in archive:
                name = _safe(info.name)
                if name is None or not (info.isfile() or info.isdir() or info.issym()):
                    continue
                info.name = name
                yield info, archive.extractfile(info) if info.isfile() else None
    except tarfile.TarError:
        raise BadParameter(
            _("The build context must be a tar (plain or compressed) or a zip.")
        ) from None
