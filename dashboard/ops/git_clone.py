"""A single-branch clone by git itself, for what Dockboard reads from a repository (a stack's
files, a build's context): connected to the one address the policy checked
(``http.curloptResolve``, see ``dashboard.policy.git_sources``), following no redirect, http
and https only, no prompt, none of the machine's git configuration, within a time limit."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.utils.translation import gettext as _

from dashboard.engine.errors import BadParameter
from dashboard.policy.git_sources import GitSource

CLONE_SECONDS = 60
BRANCH = re.compile(r"^(?!-)[A-Za-z0-9._/-]{1,200}$", re.ASCII)


def check_branch(branch: str) -> str:
    if not BRANCH.match(branch) or ".." in branch:
        raise BadParameter(_("Invalid branch name %(branch)s.") % {"branch": repr(branch)})
    return branch


def clone(source: GitSource, branch: str, destination: Path) -> str:
    """The branch's newest commit cloned into ``destination`` (new); its commit id."""
    home = str(destination.parent)
    _git(home, [
        "-c", f"http.curloptResolve={source.pinned}",
        "-c", "http.followRedirects=false",
        "clone", "--quiet", "--no-tags", "--single-branch", "--branch", check_branch(branch),
        "--", source.url, str(destination),
    ])  # fmt: skip
    return _git(home, ["-C", str(destination), "rev-parse", "HEAD"]).strip()


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
