"""What containers does when other parts of Dockboard say something happened."""

from typing import Any

from django.dispatch import receiver

from containers.create import create_after_pull
from images.models import PullJob
from images.signals import pull_succeeded

FOLLOW_UP_KIND = "container"


@receiver(pull_succeeded)
def run_after_pull(sender: Any, job: PullJob, **kwargs: Any) -> None:
    if (job.follow_up or {}).get("kind") == FOLLOW_UP_KIND:
        create_after_pull(job)
