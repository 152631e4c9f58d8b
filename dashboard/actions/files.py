"""A container's files, as `docker cp` copies them in and out: each copy through the gate
(``dashboard.policy.files``) when it writes, and into the audit log, downloads too."""

import hashlib
import io
import posixpath
import shlex
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.actions.done import done
from dashboard.engine import files as engine_files
from dashboard.engine.errors import BadParameter, Conflict
from dashboard.notation.paths import container_path
from dashboard.policy import files as policy_files

EDIT_MOST_BYTES = 1024**2  # a file larger than this is downloaded, not edited in the page
SPOOLED_BYTES = 8 * 1024**2  # an upload's tar is kept in memory up to this, then on disk


@dataclass(frozen=True)
class Place:
    """Where the files are: a container's, or a volume's as a container that mounts it at
    ``root`` reads them. Paths are the user's (``/`` is the volume's top); ``inside`` gives the
    container's."""

    container_id: str
    name: str  # the container's or the volume's, as the audit log and the CLI lines name it
    team_id: int | None
    kind: str = "container"
    root: str = ""

    def inside(self, path: str) -> str:
        return self.root + path if self.root and path != "/" else self.root or path

    def outside(self, path: str) -> str | None:
        """The user's path of a path in the container; None when it is not under ``root``."""
        if not self.root:
            return path
        if path == self.root:
            return "/"
        return path.removeprefix(self.root) if path.startswith(self.root + "/") else None

    def download_command(self, path: str, folder: bool) -> str:
        """The CLI's way to the same bytes: `docker cp` out of a container; a volume's, out of
        a throwaway container that mounts it."""
        if self.kind == "container":
            return shlex.join(["docker", "cp", f"{self.name}:{path}", "-" if folder else "."])
        mount = ["docker", "run", "--rm", "-v", f"{self.name}:/volume:ro", "busybox"]
        if folder:
            name = posixpath.basename(path) or "."
            parent = posixpath.dirname(self.inside(path)) if path != "/" else "/volume"
            return shlex.join([*mount, "tar", "-cf", "-", "-C", parent, name])
        return shlex.join([*mount, "cat", self.inside(path)])

    def audited(self, user: User, action: str, command: str) -> AbstractContextManager:
        return audit.audited(
            user,
            action,
            command,
            target_kind=self.kind,
            target_id=self.container_id if self.kind == "container" else self.name,
            target_name=self.name,
            team_id=self.team_id,
        )


@dataclass(frozen=True)
class TextFile:
    """A small text file as the editor shows it; ``digest`` tells a later save whether the
    file changed in between."""

    path: str
    text: str
    digest: str


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_text(place: Place, path: str) -> TextFile | None:
    """The file as text to edit, or None when it is too large or not text."""
    _member, data = engine_files.read_file(place.container_id, place.inside(path), EDIT_MOST_BYTES)
    if len(data) > EDIT_MOST_BYTES or b"\0" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return TextFile(path, text, digest_of(data))


def save_text(user: User, place: Place, path: str, text: str, digest: str) -> str:
    """Write the edited text over the file, keeping its owner and mode; ``Conflict`` when the
    file is no longer what the user opened (the page keeps their text)."""
    path = container_path(path)
    command = shlex.join(["docker", "cp", "-", f"{place.name}:{posixpath.dirname(path)}"])
    with place.audited(user, "file-edit", f"{command}  # {path}"):
        member, data = engine_files.read_file(place.container_id, path, EDIT_MOST_BYTES)
        if digest_of(data) != digest:
            raise Conflict(
                _("%(path)s changed since you opened it. Your text is below: open the file "
                  "again to see what it holds now.") % {"path": path}
            )  # fmt: skip
        if "\r\n" not in data.decode("utf-8", "replace"):
            text = text.replace("\r\n", "\n")  # a browser sends a text area's lines with CRLF
        content = text.encode("utf-8")
        if len(content) > EDIT_MOST_BYTES:
            raise BadParameter(_("The text is larger than a file edited here may be (1 MiB)."))
        header = tarfile.TarInfo(posixpath.basename(path))
        header.size, header.mtime, header.mode = len(content), time.time(), member.mode
        header.uid, header.gid, header.uname, header.gname = (
            member.uid,
            member.gid,
            member.uname,
            member.gname,
        )
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w", format=tarfile.PAX_FORMAT) as tar:
            tar.addfile(header, io.BytesIO(content))
        checked = policy_files.checked_upload(
            user,
            place.container_id,
            posixpath.dirname(path),
            archive.getvalue(),
            len(content),
            as_tarred=True,
        )
        engine_files.put_archive(checked)
    return done(_("Saved %(path)s") % {"path": path}, command)


def upload(user: User, place: Place, directory: str, files: list[UploadedFile]) -> str:
    """The files copied into ``directory``, as the container's user's (`docker cp`)."""
    directory = container_path(directory)
    names = [_file_name(found.name or "") for found in files]
    if not names:
        raise BadParameter(_("Choose the files to copy into the container."))
    command = shlex.join(["docker", "cp", *names, f"{place.name}:{directory}"])
    with place.audited(user, "file-upload", command):
        size = sum(found.size or 0 for found in files)
        with tempfile.SpooledTemporaryFile(SPOOLED_BYTES) as archive:
            with tarfile.open(fileobj=archive, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for name, found in zip(names, files, strict=True):
                    header = tarfile.TarInfo(name)
                    header.size, header.mtime, header.mode = found.size or 0, time.time(), 0o644
                    tar.addfile(header, found.open("rb"))
            archive.seek(0)
            checked = policy_files.checked_upload(
                user, place.container_id, directory, archive, size, as_tarred=False
            )
            engine_files.put_archive(checked)
    message = ngettext(
        "Copied %(count)d file into %(directory)s",
        "Copied %(count)d files into %(directory)s",
        len(names),
    ) % {"count": len(names), "directory": directory}
    return done(message, command)


def _file_name(name: str) -> str:
    if name in {"", ".", ".."} or "/" in name or "\0" in name:
        raise BadParameter(_("A file name cannot be “%(name)s”.") % {"name": name})
    return name


def download(user: User, place: Place, path: str, folder: bool) -> Iterator[bytes]:
    """The file's bytes, or the folder's tar; the copy is written to the audit log as it
    starts (a failure before then, as failed)."""
    path = container_path(path)
    command = place.download_command(path, folder)
    with place.audited(user, "file-download", command):
        if folder:
            return engine_files.archive_chunks(place.container_id, place.inside(path))
        return engine_files.file_chunks(place.container_id, place.inside(path))
