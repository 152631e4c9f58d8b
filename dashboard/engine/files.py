"""A container's files through the engine's archive endpoint, as `docker cp` reaches them: no
agent in the container, running or not. The engine resolves every symbolic link inside the
container's root, so no path read or written here leads outside it."""

import base64
import contextlib
import json
import stat
import tarfile
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from dashboard.engine.client import (
    api_url,
    client,
    engine_call,
    raise_for_status,
    require,
    translated_errors,
)
from dashboard.engine.errors import BadParameter
from dashboard.policy.sealed import CheckedUpload

STAT_HEADER = "X-Docker-Container-Path-Stat"
# Go's os.FileMode bits, as the stat header gives a path's mode.
MODE_DIR, MODE_SYMLINK = 1 << 31, 1 << 27
# Go's ModeType: a directory, link, device, pipe, socket, character device or irregular file.
MODE_TYPE = MODE_DIR | MODE_SYMLINK | 1 << 26 | 1 << 25 | 1 << 24 | 1 << 21 | 1 << 19
# A folder's listing reads its tar (the engine has no other listing): this much of it at most,
# so that a folder holding a large tree (a bind mount of a host's disk) answers all the same.
LIST_MOST_BYTES = 256 * 1024**2
LIST_MOST_ENTRIES = 5000
CHUNK = 1024 * 1024  # what a download reads of the engine at a time (a thread hop each)
FILE_TYPES = {
    tarfile.DIRTYPE: stat.S_IFDIR,
    tarfile.SYMTYPE: stat.S_IFLNK,
    tarfile.CHRTYPE: stat.S_IFCHR,
    tarfile.BLKTYPE: stat.S_IFBLK,
    tarfile.FIFOTYPE: stat.S_IFIFO,
}


@dataclass(frozen=True)
class PathStat:
    name: str
    size: int
    mode: int
    mtime: str
    link_target: str

    @property
    def is_dir(self) -> bool:
        return bool(self.mode & MODE_DIR)

    @property
    def is_link(self) -> bool:
        return bool(self.mode & MODE_SYMLINK)

    @property
    def is_file(self) -> bool:
        return not self.mode & MODE_TYPE


def _archive_url(container_id: str) -> str:
    return api_url(client(), f"/containers/{urllib.parse.quote(container_id, safe='')}/archive")


@engine_call
def stat_path(container_id: str, path: str) -> PathStat:
    """What ``path`` is (the last part not followed when it is a link); ``NotFound`` when the
    container has nothing there."""
    response = client().head(
        _archive_url(container_id), params={"path": path}, timeout=settings.DOCKER_TIMEOUT
    )
    raise_for_status(response)
    found = json.loads(base64.b64decode(response.headers[STAT_HEADER]))
    return PathStat(
        found["name"], found["size"], found["mode"], found["mtime"], found["linkTarget"]
    )


@contextlib.contextmanager
def read_archive(container_id: str, path: str) -> Iterator[IO[bytes]]:
    """`docker cp CONTAINER:PATH -`: the tar of ``path``, read from the engine as the caller
    reads it; the connection is closed when the block ends, read to the end or not."""
    with translated_errors():
        response = client().get(
            _archive_url(container_id),
            params={"path": path},
            # The engine would gzip the tar for a client that takes it, at a cost in time
            # greater than the bytes saved on a socket of this machine.
            headers={"Accept-Encoding": "identity"},
            stream=True,
            timeout=settings.DOCKER_TIMEOUT,
        )
        try:
            raise_for_status(response)
            yield response.raw
        finally:
            response.close()


@engine_call
def put_archive(checked: CheckedUpload) -> None:
    """`docker cp - CONTAINER:DIRECTORY`: the checked tar unpacked into the directory; a file
    never replaces a folder (nor a folder a file)."""
    checked = require(checked, CheckedUpload)
    params = {"path": checked.directory, "noOverwriteDirNonDir": "true"}
    if checked.owned_by_container_user:
        params["copyUIDGID"] = "true"
    response = client().put(
        _archive_url(checked.container_id),
        params=params,
        data=checked.archive,
        timeout=settings.DOCKER_TIMEOUT,
    )
    raise_for_status(response)


@dataclass(frozen=True)
class Entry:
    """One thing in a folder, as `ls -l` shows it."""

    name: str
    kind: str  # "folder", "file", "link" or "other"
    size: int
    mode: str  # drwxr-xr-x
    mtime: int
    owner: str  # user:group, by name when the tar has them, else by id
    link_target: str

    @classmethod
    def of(cls, member: tarfile.TarInfo, name: str) -> "Entry":
        kind = (
            "folder"
            if member.isdir()
            else "link"
            if member.issym()
            else "file"
            if member.isfile()
            else "other"
        )
        type_bits = FILE_TYPES.get(member.type, stat.S_IFREG)
        owner = f"{member.uname or member.uid}:{member.gname or member.gid}"
        return cls(
            name,
            kind,
            member.size,
            stat.filemode(type_bits | member.mode),
            int(member.mtime),
            owner,
            member.linkname if member.issym() else "",
        )


@dataclass(frozen=True)
class Folder:
    entries: list[Entry]
    cut: bool  # the listing stopped at LIST_MOST_BYTES or LIST_MOST_ENTRIES


class _Counted:
    """A stream that counts what was read of it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.read_bytes = stream, 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.read_bytes += len(data)
        return data


def list_folder(container_id: str, path: str) -> Folder:
    """`ls -la PATH` without an agent: the folder's own entries, read off its tar."""
    entries: list[Entry] = []
    cut = False
    with read_archive(container_id, path) as stream:
        counted = _Counted(stream)
        with _tar(counted) as tar:
            top = None
            for member in tar:
                tar.members = []  # a stream's tarfile would keep every header it passed
                if top is None:
                    top = member.name + "/"
                    continue
                name = member.name.removeprefix(top)
                if name and "/" not in name:
                    entries.append(Entry.of(member, name))
                if len(entries) >= LIST_MOST_ENTRIES or counted.read_bytes > LIST_MOST_BYTES:
                    cut = True
                    break
    return Folder(entries, cut)


def read_file(container_id: str, path: str, most: int) -> tuple[tarfile.TarInfo, bytes]:
    """A regular file's header (owner, mode) and its first ``most`` + 1 bytes (so that the
    caller knows whether there was more)."""
    with read_archive(container_id, path) as stream, _tar(stream) as tar:
        member, reader = _only_file(tar, path)
        return member, reader.read(most + 1)


def file_chunks(container_id: str, path: str, chunk: int = CHUNK) -> Iterator[bytes]:
    """A regular file's bytes (a download): asked of the engine at once, on the current engine,
    so that a failure comes before the answer starts; then read as they are taken."""
    stack = contextlib.ExitStack()
    with _closed_on_failure(stack):
        tar = stack.enter_context(_tar(stack.enter_context(read_archive(container_id, path))))
        _member, reader = _only_file(tar, path)
    return _drained(stack, reader, chunk)


def _only_file(tar: tarfile.TarFile, path: str) -> tuple[tarfile.TarInfo, IO[bytes]]:
    member = tar.next()
    reader = tar.extractfile(member) if member is not None and member.isfile() else None
    if reader is None:
        raise BadParameter(_("%(path)s is not a file.") % {"path": path})
    return member, reader


def archive_chunks(container_id: str, path: str, chunk: int = CHUNK) -> Iterator[bytes]:
    """`docker cp CONTAINER:PATH -`: the tar of ``path``, asked of the engine at once (as
    ``file_chunks``), then read as it is taken."""
    stack = contextlib.ExitStack()
    with _closed_on_failure(stack):
        stream = stack.enter_context(read_archive(container_id, path))
    return _drained(stack, stream, chunk)


@contextlib.contextmanager
def _closed_on_failure(stack: contextlib.ExitStack) -> Iterator[None]:
    try:
        yield
    except BaseException:
        stack.close()
        raise


def _drained(stack: contextlib.ExitStack, stream: IO[bytes], chunk: int) -> Iterator[bytes]:
    with stack:
        while data := stream.read(chunk):
            yield data


@contextlib.contextmanager
def _tar(stream: IO[bytes] | _Counted) -> Iterator[tarfile.TarFile]:
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            yield tar
    except tarfile.TarError as exc:
        raise BadParameter(_("The engine sent an archive that cannot be read.")) from exc
