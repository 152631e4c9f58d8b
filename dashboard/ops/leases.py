"""Leases: which process does a job that one process should do, when one installation runs on
several hosts against one database. A row of a model with ``holder`` and ``expires_at`` is taken
or renewed with one conditional update, so two processes never both hold it."""

import os
import socket
import uuid
from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone


def holder_name() -> str:
    return f"{socket.gethostname()} pid {os.getpid()} {uuid.uuid4().hex[:8]}"


def held(model: type[models.Model], holder: str, seconds: float, **key: object) -> bool:
    """Whether ``holder`` holds the lease of ``model``'s row ``key`` for the next ``seconds``:
    renewed when it is theirs, taken when it has expired or was never taken."""
    now = timezone.now()
    until = now + timedelta(seconds=seconds)
    mine_or_free = Q(holder=holder) | Q(expires_at__lt=now)
    if model.objects.filter(mine_or_free, **key).update(holder=holder, expires_at=until):
        return True
    try:
        with transaction.atomic():
            model.objects.create(**key, holder=holder, expires_at=until)
    except IntegrityError:  # another holds it
        return False
    return True
