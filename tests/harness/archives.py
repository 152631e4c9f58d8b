"""Tar archives made in memory, as a user's tools would make them."""

import io
import tarfile


def tar_bytes(files: dict[str, bytes], compression: str = "") -> bytes:
    """A tar of ``files`` (name → content), compressed by ``compression`` ("gz", "bz2", "")."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=f"w:{compression}") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
