"""A stack's files from its Git repository: the compose file and its override files, read from
a clone (``dashboard.ops.git_clone``), never through a link out of it."""

import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from dashboard.engine.errors import BadParameter
from dashboard.notation.compose_file import MAX_BYTES
from dashboard.ops.git_clone import clone
from dashboard.policy.git_sources import GitSource


@dataclass(frozen=True)
class Fetched:
    commit: str
    compose: str  # the files in order, as YAML documents of one text


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
        cloned = Path(home, "clone")
        commit = clone(source, branch, cloned)
        texts = [_read(cloned, path) for path in paths]
    return Fetched(commit, "\n---\n".join(texts))


def _read(cloned: Path, path: str) -> str:
    file = (cloned / path).resolve()
    if not file.is_relative_to(cloned.resolve()) or not file.is_file():
        raise BadParameter(_("The repository has no file %(path)s.") % {"path": path})
    if file.stat().st_size > MAX_BYTES:
        raise BadParameter(_("A compose file is at most 256 KiB."))
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise BadParameter(_("A compose file is UTF-8 text.")) from None
