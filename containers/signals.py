"""Logging out ends the user's terminals, in every server process (through the channel layer)."""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from containers.terminal import terminals_group


@receiver(user_logged_out)
def close_terminals_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        async_to_sync(get_channel_layer().group_send)(
            terminals_group(user.pk), {"type": "terminal.logout"}
        )
