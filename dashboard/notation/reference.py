"""Image references, parsed and normalised as the engine does (the distribution reference grammar).

``ubuntu:14.04`` means ``docker.io/library/ubuntu:14.04``: no registry means Docker Hub, a
single name means an official image, and no tag means ``latest``.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

DEFAULT_DOMAIN = "docker.io"
LEGACY_DOMAIN = "index.docker.io"
OFFICIAL_PREFIX = "library/"
MAX_NAME_LENGTH = 255

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = re.compile(rf"^{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*$")
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(
    rf"^(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$"
)
_TAG = re.compile(r"^[\w][\w.-]{0,127}$", re.ASCII)
_DIGEST = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")


class InvalidReference(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImageReference:
    domain: str
    path: str
    tag: str | None
    digest: str | None

    @property
    def repository(self) -> str:
        """The full repository name, e.g. ``docker.io/library/ubuntu``."""
        return f"{self.domain}/{self.path}" if self.domain else self.path

    @property
    def familiar_repository(self) -> str:
        """The repository as the CLI shows it: ``ubuntu``, ``user/app``, ``host:5000/app``."""
        if self.domain != DEFAULT_DOMAIN:
            return self.repository
        return self.path.removeprefix(OFFICIAL_PREFIX)

    @property
    def pull_tag(self) -> str:
        """What `docker pull` asks for after the repository: a digest, else the tag."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        tag = f":{self.tag}" if self.tag else ""
        digest = f"@{self.digest}" if self.digest else ""
        return f"{self.repository}{tag}{digest}"

    @property
    def familiar(self) -> str:
        tag = f":{self.tag}" if self.tag else ""
        digest = f"@{self.digest}" if self.digest else ""
        return f"{self.familiar_repository}{tag}{digest}"


def auth_server(domain: str) -> str:
    """A registry as an engine's login (its auth config) names it: Docker Hub by its old
    address, as `docker login` does."""
    return "https://index.docker.io/v1/" if domain == DEFAULT_DOMAIN else domain


def parse_reference(text: str) -> ImageReference:
    """Parse and normalise; ``InvalidReference`` says precisely what is wrong."""
    text = text.strip()
    if not text:
        raise InvalidReference(_("The image reference is empty."))
    name, digest = text, None
    if "@" in text:
        name, _at, digest = text.partition("@")
        if not _DIGEST.match(digest):
            raise InvalidReference(_("Invalid digest %(digest)s.") % {"digest": repr(digest)})
    tag = None
    last_slash = name.rfind("/")
    if ":" in name[last_slash + 1 :]:
        name, _colon, tag = name.rpartition(":")
        if not _TAG.match(tag):
            raise InvalidReference(
                _("Invalid tag %(tag)s: up to 128 letters, digits, _ . - (not first . or -).")
                % {"tag": repr(tag)}
            )
    if not name:
        raise InvalidReference(_("The image reference has no name."))
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidReference(_("The repository name is longer than 255 characters."))
    domain, path = _split_domain(name)
    if path != path.lower():
        raise InvalidReference(_("The repository name must be lowercase."))
    for component in path.split("/"):
        if not _PATH_COMPONENT.match(component):
            raise InvalidReference(
                _("Invalid repository name component %(part)s.") % {"part": repr(component)}
            )
    if tag is None and digest is None:
        tag = "latest"
    return ImageReference(domain, path, tag, digest)


def _split_domain(name: str) -> tuple[str, str]:
    first, slash, rest = name.partition("/")
    if slash and (("." in first or ":" in first) or first == "localhost"):
        if not _DOMAIN.match(first):
            if all(_PATH_COMPONENT.match(part) for part in name.split("/")):
                return "", name  # e.g. `a.b_c/d`: the engine reads a name with no registry
            raise InvalidReference(_("Invalid registry %(domain)s.") % {"domain": repr(first)})
        domain, path = first, rest
    else:
        domain, path = DEFAULT_DOMAIN, name
    if domain == LEGACY_DOMAIN:
        domain = DEFAULT_DOMAIN
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = OFFICIAL_PREFIX + path
    return domain, path
