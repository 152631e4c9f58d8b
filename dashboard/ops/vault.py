"""Secrets Dockboard must give back (registry passwords), encrypted at rest with Fernet.

The keys are a file in the data directory, readable by its owner alone, one key a line: the
first encrypts, every one decrypts, so a rotation (``manage.py rotatevaultkeys``) puts a new
key first, encrypts every secret again, and drops the old keys once that is stored. The
database alone (a backup of it, say) opens nothing.
"""

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

KEYS_FILE = "vault_keys"


class VaultError(Exception):
    """A secret that the keys here cannot open (the data directory of another installation)."""


def _path() -> Path:
    return Path(settings.DATA_DIR) / KEYS_FILE


def make_keys(data_dir: Path) -> None:
    """The first key, unless there is one (``python -m dashboard.data_dir``)."""
    try:
        fd = os.open(data_dir / KEYS_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as keys:
        keys.write(Fernet.generate_key().decode() + "\n")


def _write(keys: list[bytes]) -> None:
    """The keys file replaced at once (a reader sees the old keys or the new, never half)."""
    path = _path()
    draft = path.with_name(f".{KEYS_FILE}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write("".join(key.decode() + "\n" for key in keys))
    os.replace(draft, path)


def _keys() -> list[bytes]:
    path = _path()
    if not path.exists():
        make_keys(path.parent)
    return [line.encode() for line in path.read_text().split() if line]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise VaultError("this installation's keys do not open the secret") from None


def add_key() -> None:
    """A new key, first: it encrypts from now on; the old ones still decrypt."""
    _write([Fernet.generate_key(), *_keys()])


def reencrypt(token: str) -> str:
    """``token`` encrypted again with the first key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise VaultError("this installation's keys do not open the secret") from None


def drop_old_keys() -> None:
    """Only the first key left: once every secret is encrypted with it, and stored."""
    _write(_keys()[:1])
