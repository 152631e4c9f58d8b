"""The first administrator: while no user exists, a one-time setup link creates one."""

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from dashboard.models import SetupToken


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def needs_setup() -> bool:
    return not get_user_model().objects.exists()


def issue_setup_token() -> str | None:
    """A fresh token (earlier ones stop working), or None once any user exists."""
    if not needs_setup():
        return None
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        SetupToken.objects.all().delete()
        SetupToken.objects.create(digest=_digest(token))
    return token


def setup_token_is_valid(token: str) -> bool:
    return needs_setup() and SetupToken.objects.filter(digest=_digest(token)).exists()


def create_first_administrator(token: str, username: str, password: str) -> AbstractBaseUser | None:
    """Spend the token on the first superuser; None if the token was already spent or invalid."""
    with transaction.atomic():
        spent, _ = SetupToken.objects.filter(digest=_digest(token)).delete()
        if not spent or not needs_setup():
            return None
        SetupToken.objects.all().delete()
        return get_user_model().objects.create_superuser(username=username, password=password)
