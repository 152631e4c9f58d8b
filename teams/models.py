from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from dashboard.models import Membership, Team

VALID_FOR = timedelta(days=7)


def _expiry() -> object:
    return timezone.now() + VALID_FOR


class Invitation(models.Model):
    """A one-time link into a team with a role; only its SHA-256 is stored, like the setup link."""

    digest = models.CharField(max_length=64, unique=True)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=16, choices=Membership.Role.choices)
    note = models.CharField(max_length=200, blank=True)  # e.g. the invitee's name from a CSV
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_expiry)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation to {self.team} as {self.role}"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
