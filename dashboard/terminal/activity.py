"""Signals of use: a container was used by a person (terminal input), so that what times out
idle sessions (labs) can tell an open tab from a person at work."""

from django.dispatch import Signal

# Sent with ``lab_session`` (the used container's, by its ownership record; "" for none) at most
# once a minute a terminal.
container_used = Signal()
