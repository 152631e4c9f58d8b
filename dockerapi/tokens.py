"""Personal access tokens: made once and shown once, hashed at rest, expiring and revocable."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.access.roles import creatable_teams, grants_for
from dashboard.actions import audit
from dashboard.models import Team
from dockerapi.models import ApiToken

PREFIX = "dbk_"
DEFAULT_DAYS = 30
MOST_DAYS = 366
# The last use is written at most this often, so that `docker ps` in a loop costs no writes.
LAST_USE_EVERY = timedelta(seconds=60)


class TokenError(ValueError):
    """What the person asked for cannot be made; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def team_for(user: AbstractBaseUser, team_name: str = "") -> Team | None:
    """The team the token's containers go to: the one named, or the person's only team (an
    administrator may have none)."""
    teams = creatable_teams(user)
    if team_name:
        for team in teams:
            if team.name == team_name:
                return team
        raise TokenError(_("You may not create containers in team %(team)s.") % {"team": team_name})
    if grants_for(user).admin:
        return None
    if len(teams) != 1:
        raise TokenError(
            _("Name the team whose containers the token makes: %(teams)s.")
            % {"teams": ", ".join(t.name for t in teams) or _("you have none")}
        )
    return teams[0]


def issue(
    user: AbstractBaseUser, name: str, *, days: int = DEFAULT_DAYS, team_name: str = ""
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is never stored and so shown only now."""
    if not 1 <= days <= MOST_DAYS:
        raise TokenError(_("A token lasts 1 to %(most)d days.") % {"most": MOST_DAYS})
    name = name.strip() or _("docker CLI")
    team = team_for(user, team_name)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        digest=digest_of(secret),
        prefix=secret[: len(PREFIX) + 6],
        team=team,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record(
        user, "token", target_kind="token", target_name=token.name, team_id=team and team.pk
    )
    return token, secret


def valid(secret: str) -> ApiToken | None:
    """The token this secret is, if it may be used now: not revoked, not expired, its person
    still active. Its last use is noted (at most once a minute)."""
    if not secret.startswith(PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "team")
        .filter(digest=digest_of(secret), revoked_at=None, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def still_valid(token_id: int) -> bool:
    """Whether the token may still be used (an open attach asks this while it streams)."""
    return ApiToken.objects.filter(
        Q(pk=token_id, revoked_at=None, expires_at__gt=timezone.now(), user__is_active=True)
    ).exists()


def tokens_of(user: AbstractBaseUser) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).select_related("team"))


def revoke(user: AbstractBaseUser, token_id: int) -> ApiToken | None:
    """Revoke one of the person's own tokens (another's is not found)."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        return None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(user, "revoke token", target_kind="token", target_name=token.name)
    return token
