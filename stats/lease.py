"""The collector's lease (``CollectorLease``): taken or renewed with one conditional update, so
two collectors never both hold it."""

import os
import socket
import uuid
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from stats.models import CollectorLease

NAME = "stats"


def holder_name() -> str:
    return f"{socket.gethostname()} pid {os.getpid()} {uuid.uuid4().hex[:8]}"


def held(holder: str, seconds: float) -> bool:
    """Whether ``holder`` holds the lease for the next ``seconds``: renewed when it is theirs,
    taken when it has expired or was never taken."""
    now = timezone.now()
    until = now + timedelta(seconds=seconds)
    mine_or_free = Q(holder=holder) | Q(expires_at__lt=now)
    if CollectorLease.objects.filter(mine_or_free, name=NAME).update(
        holder=holder, expires_at=until
    ):
        return True
    try:
        with transaction.atomic():
            CollectorLease.objects.create(name=NAME, holder=holder, expires_at=until)
    except IntegrityError:  # another holds it
        return False
    return True
