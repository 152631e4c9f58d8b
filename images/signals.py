"""What images tells the rest of Dockboard, without knowing who listens."""

from django.dispatch import Signal

# Sent by the worker once a pull job has its image (keyword ``job``). Receivers carry out the
# job's ``follow_up`` if it is theirs, and set its ``next_url`` or ``follow_up_error``.
pull_succeeded = Signal()
