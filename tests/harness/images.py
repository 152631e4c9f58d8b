"""Real shell images without Docker Hub: busybox-static on top of scratch."""

import os
import shutil
import tempfile
from pathlib import Path

import docker

DOCKERFILE = """\
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["/bin/sh"]
"""


def build_busybox_image(client: docker.DockerClient, tag: str, labels: dict[str, str]) -> str:
    """Build the image as ``tag`` and return its id."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    with tempfile.TemporaryDirectory(prefix="dockboard-image-") as context:
        shutil.copy(busybox, Path(context) / "busybox")
        (Path(context) / "Dockerfile").write_text(DOCKERFILE)
        image, _ = client.images.build(path=context, tag=tag, labels=labels, rm=True)
    return image.id


def push(client: docker.DockerClient, reference: str, login: dict | None = None) -> None:
    """Push ``reference``; with ``login`` (username, password), as `docker login` would."""
    repository, _, tag = reference.rpartition(":")
    lines = client.images.push(repository, tag, stream=True, decode=True, auth_config=login)
    for line in lines:
        if "error" in line:
            raise RuntimeError(f"push of {reference} failed: {line['error']}")


def build_layered_image(
    client: docker.DockerClient, tag: str, labels: dict[str, str], layers: int, layer_bytes: int
) -> str:
    """The busybox image plus ``layers`` layers of random bytes: a pull with real progress."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    with tempfile.TemporaryDirectory(prefix="dockboard-image-") as context:
        root = Path(context)
        shutil.copy(busybox, root / "busybox")
        lines = [DOCKERFILE]
        for number in range(layers):
            (root / f"blob{number}").write_bytes(os.urandom(layer_bytes))
            lines.append(f"COPY blob{number} /data/blob{number}\n")
        (root / "Dockerfile").write_text("".join(lines))
        image, _ = client.images.build(path=context, tag=tag, labels=labels, rm=True)
    return image.id
