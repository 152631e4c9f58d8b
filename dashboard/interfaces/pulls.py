"""What the images app offers the rest of Dockboard, which must not import it: a pull that is
followed up once the image is here (`docker run` of a missing image), and the signal its worker
sends then. The images app provides the pull when it is ready (``provide``)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.dispatch import Signal

from dashboard.access.roles import User
from dashboard.notation.reference import ImageReference


@dataclass(frozen=True)
class FollowedUp:
    """What a receiver of ``pull_succeeded`` made of the follow-up: where the user goes on to,
    or why it could not be done."""

    next_url: str = ""
    error: str = ""


# Sent by the worker once a pull job has its image, with the keywords ``user`` (who asked) and
# ``follow_up`` (what they asked to be done next). The receiver whose follow-up it is does it
# and answers a ``FollowedUp``; the others answer None.
pull_succeeded = Signal()


class PullJob(Protocol):
    pk: Any


type Requester = Callable[[User, ImageReference, str, dict[str, Any] | None], PullJob]
_provided: list[Requester] = []


def provide(requester: Requester) -> None:
    """The images app's ``request_pull``: queue a pull (through the gate) and answer its job."""
    _provided[:] = [requester]


def request_pull(
    user: User, reference: ImageReference, *, follow_up: dict[str, Any] | None = None
) -> PullJob:
    """A queued pull of ``reference`` whose follow-up the requester's receiver of
    ``pull_succeeded`` carries out; ``PolicyRefusal`` before anything is queued."""
    return _provided[0](user, reference, "", follow_up)
