from django.db import models


class SetupToken(models.Model):
    """A one-time link that creates the first administrator; only its SHA-256 is stored."""

    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"setup token {self.digest[:8]}…"
