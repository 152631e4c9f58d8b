"""A user's ways in: their browser sessions and open websockets (terminals), ended together on
logout and on deactivation, in every server process (through the channel layer)."""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.signals import user_logged_out
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.utils import timezone

SIGNED_OUT = "user.signed_out"  # the consumers' handler: ``user_signed_out``


def user_group(user_id: int) -> str:
    """The channel-layer group every websocket of this user joins."""
    return f"dockboard.user.{user_id}"


def close_connections(user_id: int) -> None:
    async_to_sync(get_channel_layer().group_send)(user_group(user_id), {"type": SIGNED_OUT})


def end_sessions(user_id: int) -> int:
    """Sign the user out everywhere: their sessions are deleted, their websockets closed."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user_id):
            session.delete()
            ended += 1
    close_connections(user_id)
    return ended


@receiver(user_logged_out)
def close_connections_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        close_connections(user.pk)
