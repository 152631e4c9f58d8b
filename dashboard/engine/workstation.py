"""The workstation image of lab sessions: busybox and the `docker` CLI, built here from this
host's own files (Debian's busybox-static and docker.io), as no registry is needed for it.

The CLI is linked to the C library: the loader and the libraries `ldd` names come along.
"""

import hashlib
import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import docker
from django.utils.translation import gettext as _

from dashboard.engine.client import client, engine_call
from dashboard.engine.errors import EngineError

REPOSITORY = "dockboard/workstation"
CLI = "/usr/bin/docker"
DOCKERFILE = b"""\
FROM scratch
COPY rootfs/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/usr/bin:/bin DOCKER_HOST=unix:///var/run/docker.sock
WORKDIR /root
CMD ["/bin/sh"]
"""


def _files() -> dict[str, Path]:
    """Path in the image: file on this host."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    files = {"bin/busybox": Path(busybox), CLI.lstrip("/"): Path(CLI)}
    try:
        linked = subprocess.run(  # noqa: S603 - a fixed program on a fixed file
            ["/usr/bin/ldd", CLI], capture_output=True, text=True, check=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise EngineError(_("This host has no docker CLI to put in a workstation.")) from exc
    for line in linked.splitlines():
        library = line.split("=>")[-1].split("(")[0].strip()
        if library.startswith("/"):
            files[library.lstrip("/")] = Path(library)
    return files


def image_tag() -> str:
    """The image for this host's CLI and busybox: a new tag when either changes."""
    digest = hashlib.sha256()
    for name, found in sorted(_files().items()):
        status = found.stat()
        digest.update(f"{name}:{status.st_size}:{status.st_mtime_ns}".encode())
    return f"{REPOSITORY}:{digest.hexdigest()[:12]}"


# A terminal on a workstation passes Ctrl+P Ctrl+Q through to the `docker attach` typed in it,
# as a terminal of one's own does: Dockboard's own attach takes a sequence nobody types.
WORKSTATION_DETACH_SEQUENCE = "ctrl-@,ctrl-^,ctrl-_,ctrl-]"


def is_workstation(image: str) -> bool:
    return image.startswith(f"{REPOSITORY}:")


def detach_keys_for(image: str, usual: str) -> str:
    """The detach keys of Dockboard's own attach to a container of ``image``."""
    return WORKSTATION_DETACH_SEQUENCE if is_workstation(image) else usual


def _context() -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        dockerfile = tarfile.TarInfo("Dockerfile")
        dockerfile.size = len(DOCKERFILE)
        archive.addfile(dockerfile, io.BytesIO(DOCKERFILE))
        for name, found in _files().items():
            archive.add(str(found.resolve()), arcname=f"rootfs/{name}")
    buffer.seek(0)
    return buffer


@engine_call
def ensure_image() -> str:
    """The workstation image's reference, built first if this engine has not got it."""
    tag = image_tag()
    api = client()
    try:
        api.inspect_image(tag)
        return tag
    except docker.errors.ImageNotFound:
        pass
    for message in api.build(
        fileobj=_context(), custom_context=True, tag=tag, rm=True, decode=True
    ):
        if error := message.get("error"):
            raise EngineError(
                _("The workstation image could not be built: %(error)s") % {"error": error}
            )
    return tag
