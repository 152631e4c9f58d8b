"""The channel-layer group of a container's terminals: every connection to them joins it, so
that presence (watchers, take-overs) and markers in recordings reach them from any process."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def terminal_group(container_id: str) -> str:
    return f"terminal-{container_id[:64]}"


def mark_recordings(container_id: str, text: str) -> None:
    """A marker in the recordings of the container's open terminals (e.g. a lab check)."""
    async_to_sync(get_channel_layer().group_send)(
        terminal_group(container_id), {"type": "terminal.marker", "text": text}
    )
