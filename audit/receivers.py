"""Audit rows for signing in and out, failed and locked-out logins; and the log's retention."""

from datetime import timedelta
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from dashboard.actions import audit
from dashboard.models import AuditEvent
from dashboard.ops.housekeeping import housekeeping


def _address(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def _record(request: Any, user: Any, action: str, **fields: Any) -> None:
    with audit.client_address(_address(request)):
        audit.record(user, action, target_kind="user", **fields)


@receiver(user_logged_in)
def logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _record(request, user, "login", target_id=str(user.pk), target_name=user.get_username())


@receiver(user_logged_out)
def logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _record(request, user, "logout", target_id=str(user.pk), target_name=user.get_username())


@receiver(user_login_failed)
def login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    name = str(credentials.get("username", ""))[:150]
    with audit.client_address(_address(request)):
        audit.refused(
            None,
            "login-failed",
            "wrong username or password",
            target_kind="user",
            target_name=name,
            actor_name=name,
        )


@receiver(user_locked_out)
def locked_out(sender: Any, request: Any, username: str | None, ip_address: str, **kwargs: Any):
    name = (username or "")[:150]
    with audit.client_address(ip_address):
        audit.refused(
            None,
            "lockout",
            "too many failed logins",
            target_kind="user",
            target_name=name,
            actor_name=name,
        )


@receiver(housekeeping)
def prune_old_rows(sender: Any, **kwargs: Any) -> int:
    """Rows older than DOCKBOARD_AUDIT_DAYS go (90 days unless set)."""
    cutoff = timezone.now() - timedelta(days=settings.DOCKBOARD_AUDIT_DAYS)
    return AuditEvent.objects.filter(created_at__lt=cutoff).delete()[0]
