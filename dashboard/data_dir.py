"""The data directory and the secret key in it, made once before Dockboard first runs (`make run`
and `make test` run ``python -m dashboard.data_dir``); the settings only read them, so that
importing them writes nothing."""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
KEY_FILE = "secret_key"


def location() -> Path:
    return Path(os.environ.get("DOCKBOARD_DATA_DIR") or BASE_DIR / "var").resolve()


def read_secret_key(data_dir: Path) -> str | None:
    try:
        return (data_dir / KEY_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None


def prepare(data_dir: Path) -> None:
    """The directory, its static files' folder, the vault's keys, and a secret key readable by
    its owner alone (never replaced: sessions and signed links depend on it)."""
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    from dashboard.ops.vault import make_keys  # the secrets' keys: made once too

    make_keys(data_dir)
    try:
        fd = os.open(data_dir / KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as key_file:
        key_file.write(secrets.token_urlsafe(50))


if __name__ == "__main__":
    prepare(location())
