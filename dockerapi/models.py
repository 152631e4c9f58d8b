from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dashboard.models import Team


class ApiToken(models.Model):
    """A personal access token for the Engine API endpoint: the `docker` CLI sends it as a
    bearer token. Only its SHA-256 is stored (it is random, so no slow hash is needed); the
    first characters are kept to tell tokens apart in the list."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)
    # The team the containers made with the token belong to (none: an administrator's own).
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE)
    # A lab session's: served on the session's own socket, which is its credential (no secret
    # is ever handed out), and revoked when the session ends.
    session_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
