"""What containers does when other parts of Dockboard say something happened."""

from typing import Any

from django.dispatch import receiver

from containers.create import create_after_pull
from dashboard.interfaces.pulls import FollowedUp, pull_succeeded

FOLLOW_UP_KIND = "container"


@receiver(pull_succeeded)
def run_after_pull(
    sender: Any, user: Any, follow_up: dict[str, Any], **kwargs: Any
) -> FollowedUp | None:
    if follow_up.get("kind") != FOLLOW_UP_KIND:
        return None
    return create_after_pull(user, follow_up)
