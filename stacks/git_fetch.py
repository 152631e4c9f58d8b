"""A stack's files from its Git repository: a single-branch clone by git itself, connected to
the one address the policy checked (``http.curloptResolve``), no redirects, http and https only,
no prompt, no configuration of the machine's; then the compose file (and its override files)
read from the clone, never through a link out of it."""

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from dashboard.engine.errors import BadParameter
from dashboard.notation.compose_file import MAX_BYTES
from dashboard.policy.git_sources import GitSource

CLONE_SECONDS = 60
BRANCH = re.compile(r"^(?!-)[A-Za-z0-9._/-]{1,200}$", re.ASCII)


@dataclass(frozen=True)
class Fetched:
    commit: str
    compose: str  # the files in order, as YAML documents of one text


def check_branch(branch: str) -> str:
    if not BRANCH.match(branch) or ".." in branch:
        raise BadParameter(_("Invalid branch name %(branch)s.") % {"branch": repr(branch)})
    return branch


def check_paths(text: str) -> list[str]:
    """The compose file and its override files, relative to the repository, comma-separated."""
    paths = [part.strip() for part in text.split(",") if part.strip()] or ["compose.yaml"]
    for path in paths:
        parts = PurePosixPath(path).parts
        if path.startswith("/") or ".." in parts or "\0" in path:
            raise BadParameter(
                _("Name files inside the repository, like deploy/compose.yaml: %(path)s")
                % {"path": repr(path)}
            )
    return paths


def fetch(source: GitSource, branch: str, paths: list[str]) -> Fetched:
    with tempfile.TemporaryDirectory(prefix="dockboard-git-") as home:
        clone = Path(home, "clone")
        _git(home, [
            "-c", f"http.curloptResolve={source.pinned}",
            "-c", "http.followRedirects=false",
            "clone", "--quiet", "--no-tags", "--single-branch", "--branch", check_branch(branch),
            "--", source.url, str(clone),
        ])  # fmt: skip
        commit = _git(home, ["-C", str(clone), "rev-parse", "HEAD"]).strip()
        texts = [_read(clone, path) for path in paths]
    return Fetched(commit, "\n---\n".join(texts))


def _git(home: str, args: list[str]) -> str:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ALLOW_PROTOCOL": "http:https",
    }
    git = shutil.which("git")
    if git is None:
        raise BadParameter(_("git is not installed on Dockboard's server."))
    try:
        # No shell, and the address comes after "--": nothing in it is read as an option.
        done = subprocess.run(  # noqa: S603
            [git, *args], env=environment, capture_output=True, timeout=CLONE_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise BadParameter(
            _("git did not finish within %(seconds)d seconds.") % {"seconds": CLONE_SECONDS}
        ) from None
    if done.returncode:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        raise BadParameter(
            _("git could not fetch the repository: %(said)s")
            % {"said": said[-1] if said else done.returncode}
        )
    return done.stdout.decode(errors="replace")


def _read(clone: Path, path: str) -> str:
    file = (clone / path).resolve()
    if not file.is_relative_to(clone.resolve()) or not file.is_file():
        raise BadParameter(_("The repository has no file %(path)s.") % {"path": path})
    if file.stat().st_size > MAX_BYTES:
        raise BadParameter(_("A compose file is at most 256 KiB."))
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadParameter(_("A compose file is UTF-8 text.")) from None
