"""What images tells the rest of Dockboard, without knowing who listens."""

from dataclasses import dataclass

from django.dispatch import Signal


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
