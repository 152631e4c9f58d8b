"""The worker's minute: the Git stacks whose poll is due are each queued once, whichever of
several workers looks first."""

from datetime import timedelta

from django.dispatch import receiver
from django.utils import timezone

from dashboard.ops.housekeeping import every_minute
from stacks.models import Stack
from stacks.tasks import poll_git_stack


@receiver(every_minute, dispatch_uid="stacks.git_polls")
def queue_due_polls(sender: object, **kwargs: object) -> int:
    """Queue a poll of each Git stack whose minutes have passed since its last; how many."""
    now = timezone.now()
    queued = 0
    for stack in Stack.objects.exclude(git_url="").filter(git_poll_minutes__gt=0):
        last = stack.git_polled_at
        if last is not None and now - last < timedelta(minutes=stack.git_poll_minutes):
            continue
        # Taken only if no other worker took it since it was read.
        if Stack.objects.filter(pk=stack.pk, git_polled_at=last).update(git_polled_at=now):
            poll_git_stack.enqueue(stack.pk)
            queued += 1
    return queued
