"""A build's context from a Git repository, as `docker build https://HOST/REPO.git#BRANCH:FOLDER`
takes one, but fetched by Dockboard's server (the engine would fetch it unchecked): the address
checked by the policy, the branch cloned (``dashboard.ops.git_clone``), then the folder's files
(``.git`` left out) given to the build as an uploaded context is."""

import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _

from dashboard.engine.errors import BadParameter
from dashboard.notation.units import format_size
from dashboard.ops.git_clone import clone
from dashboard.policy.git_sources import check_git_source
from dashboard.policy.refusals import PolicyRefusal


@dataclass(frozen=True)
class GitContext:
    archive: File  # a plain tar of the folder's files
    commit: str
    address: str  # the context as `docker build` names it


def git_context(url: str, branch: str, folder: str) -> GitContext:
    """The folder of the branch's newest commit as a build context; refused for an address the
    policy refuses, a folder outside the repository, or a context above the upload limit."""
    source = check_git_source(url)
    parts = PurePosixPath(folder or ".").parts
    if folder.startswith("/") or ".." in parts or "\0" in folder:
        raise BadParameter(_("Name a folder inside the repository: %(path)s") % {"path": folder})
    archive = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the build, which closes it
    with tempfile.TemporaryDirectory(prefix="dockboard-git-") as home:
        cloned = Path(home, "clone")
        commit = clone(source, branch, cloned)
        top = (cloned / folder).resolve()
        if not top.is_relative_to(cloned.resolve()) or not top.is_dir():
            raise BadParameter(_("The repository has no folder %(path)s.") % {"path": folder})
        with tarfile.open(fileobj=archive, mode="w") as tar:
            for entry in sorted(top.iterdir()):
                if entry.name != ".git":
                    tar.add(entry, arcname=entry.name)
    size = archive.tell()
    if size > settings.DOCKBOARD_UPLOAD_MAX_BYTES:
        archive.close()
        raise PolicyRefusal(
            "git_url",
            _("The context is %(size)s, more than the %(most)s an upload may hold.")
            % {"size": format_size(size), "most": format_size(settings.DOCKBOARD_UPLOAD_MAX_BYTES)},
        )
    archive.seek(0)
    address = f"{source.url}#{branch}" + (f":{folder}" if folder.strip("/.") else "")
    return GitContext(File(archive, name="context.tar"), commit, address)
