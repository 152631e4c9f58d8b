"""Who a personal access token belongs to, for the parts of Dockboard that take one besides
the Engine API endpoint (`/metrics`): the tokens are the dockerapi app's, which provides this
lookup when it is ready (``provide``)."""

from collections.abc import Callable

from dashboard.access.roles import User

type Lookup = Callable[[str], User | None]
_provided: list[Lookup] = []


def provide(lookup: Lookup) -> None:
    _provided[:] = [lookup]


def user_for(secret: str) -> User | None:
    """The active person whose valid (not revoked, not expired) token this is, or None."""
    return _provided[0](secret) if _provided else None
