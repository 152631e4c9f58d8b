"""The image of the containers through which Dockboard reads a volume's files: the engine reads
files only through a container, and a container needs an image. It holds one empty folder and
no program: its containers are created to mount a volume and never started."""

import io
import tarfile

import docker

from dashboard.engine.client import client, engine_call

REFERENCE = "dockboard/volume-reader:1"
MOUNT_POINT = "/volume"


def _root_file_system() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        folder = tarfile.TarInfo(MOUNT_POINT.lstrip("/"))
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        archive.addfile(folder)
    return buffer.getvalue()


@engine_call
def ensure_image() -> str:
    """The reader image's reference, imported first if this engine has not got it."""
    api = client()
    try:
        api.inspect_image(REFERENCE)
    except docker.errors.ImageNotFound:
        repository, tag = REFERENCE.split(":")
        api.import_image_from_data(_root_file_system(), repository=repository, tag=tag)
    return REFERENCE
