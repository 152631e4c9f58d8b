"""Production settings: `check --deploy` finds nothing with the README's settings, and importing
the settings writes nothing (the data directory and its key are made by `make run`)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DOCKBOARD_HTTPS": "1",
    "DOCKBOARD_SECRET_KEY": "k" * 20 + "-a-long-random-value-for-this-test-only-9f3b2c",
    "DOCKBOARD_ALLOWED_HOSTS": "dockboard.example.org",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DOCKBOARD_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_finds_nothing_with_the_production_settings(tmp_path: Path) -> None:
    done = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env={**PRODUCTION, "DOCKBOARD_DATA_DIR": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_warns_of_the_development_defaults(tmp_path: Path) -> None:
    done = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env={"DOCKBOARD_DATA_DIR": str(tmp_path), "DOCKBOARD_SECRET_KEY": PRODUCTION[
            "DOCKBOARD_SECRET_KEY"]},
    )  # fmt: skip
    assert done.returncode != 0
    assert "security.W008" in done.stderr  # no SECURE_SSL_REDIRECT without DOCKBOARD_HTTPS


def test_the_settings_write_nothing_and_say_how_to_make_the_key(tmp_path: Path) -> None:
    fresh = tmp_path / "data"
    done = manage("check", env={"DOCKBOARD_DATA_DIR": str(fresh)})
    assert done.returncode != 0
    assert "No secret key" in done.stderr and "python -m dashboard.data_dir" in done.stderr
    assert not fresh.exists()

    subprocess.run(
        [sys.executable, "-m", "dashboard.data_dir"],
        cwd=ROOT,
        env={**os.environ, "DOCKBOARD_DATA_DIR": str(fresh)},
        check=True,
    )
    key = fresh / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first = key.read_text()
    assert len(first) >= 50
    subprocess.run(
        [sys.executable, "-m", "dashboard.data_dir"],
        cwd=ROOT,
        env={**os.environ, "DOCKBOARD_DATA_DIR": str(fresh)},
        check=True,
    )
    assert key.read_text() == first  # never replaced: sessions and links depend on it
    assert manage("check", env={"DOCKBOARD_DATA_DIR": str(fresh)}).returncode == 0
