"""What the policy gate lets through, sealed: the engine gateway takes these and nothing else,
and only the gate's modules (the package ``dashboard.policy``) import the seal to make them: an
import-linter contract in pyproject.toml holds every other module to that."""

from dataclasses import dataclass, field
from typing import Any

from dashboard.notation.reference import ImageReference
from dashboard.policy.seal import SEAL


@dataclass(frozen=True)
class _Sealed:
    seal: object = field(repr=False, compare=False, kw_only=True)

    def __post_init__(self) -> None:
        if self.seal is not SEAL:
            raise TypeError(f"only the policy gate makes a {type(self).__name__}")


@dataclass(frozen=True)
class CheckedCreate(_Sealed):
    parameters: dict[str, Any]  # keyword arguments of the SDK's create_container
    owner_id: int
    team_id: int | None


@dataclass(frozen=True)
class CheckedExec(_Sealed):
    container_id: str
    command: list[str]
    user: str
    tty: bool
    privileged: bool = False
    # In the exec's environment (MARKER=marker), so that every process it starts can be found
    # and ended when its terminal closes; "" for none.
    marker: str = ""


@dataclass(frozen=True)
class CheckedService(_Sealed):
    parameters: dict[str, Any]  # keyword arguments of the SDK's create_service (policy_services)


@dataclass(frozen=True)
class CheckedNetwork(_Sealed):
    name: str
    labels: dict[str, str]
    subnet: str = ""
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedConnection(_Sealed):
    network_id: str
    container_id: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckedVolume(_Sealed):
    name: str
    labels: dict[str, str]
    driver_options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedCommit(_Sealed):
    container_id: str
    repository: str
    tag: str
    message: str
    author: str
    changes: list[str]
    owner_id: int | None = None
    team_id: int | None = None


@dataclass(frozen=True)
class RegistryAuth:
    """A stored registry login, opened for one pull (``dashboard.policy.registry_logins``)."""

    registry: str
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class CheckedPull(_Sealed):
    reference: ImageReference
    platform: str
    auth: RegistryAuth | None = None  # the team's stored login the gate chose


@dataclass(frozen=True)
class CheckedUpload(_Sealed):
    """A tar to unpack into a container's directory (``dashboard.policy.files``)."""

    container_id: str
    directory: str
    archive: Any = field(repr=False)  # a file object at its start, or bytes
    size: int
    owned_by_container_user: bool  # `docker cp`'s files are the container's user's, else as tarred


@dataclass(frozen=True)
class CheckedBuild(_Sealed):
    """`docker build` as the gate admitted it (``dashboard.policy.builds``)."""

    tag: str  # the familiar reference the image gets
    build_args: dict[str, str]
    target: str
    memory: int  # each RUN step's memory limit in bytes; 0 for none
    seconds: int  # how long the build may take; 0 for no limit
    most_bytes: int  # the largest image it may make; 0 for no limit
    owner_id: int | None
    team_id: int | None


@dataclass(frozen=True)
class CheckedPush(_Sealed):
    """`docker push` as the gate admitted it (``dashboard.policy.pushes``)."""

    reference: ImageReference  # a name and a tag
    image_id: str  # the image the name held when the gate looked
    auth: RegistryAuth | None = None  # the team's stored login the gate chose
