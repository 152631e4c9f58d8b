"""Personal access tokens: made once and shown once, hashed at rest, expiring and revocable."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
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
        ApiToken.objects.select_related("user")
        .filter(digest=digest_of(secret), revoked_at=None, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def user_of(secret: str) -> AbstractBaseUser | None:
    """``valid``'s person (``dashboard.interfaces.bearer_tokens``)."""
    token = valid(secret)
    return token.user if token is not None else None


def still_valid(token_id: int) -> bool:
    """Whether the token may still be used (an open attach asks this while it streams)."""
    return valid_by_id(token_id) is not None


def tokens_of(user: AbstractBaseUser) -> list[ApiToken]:
    """The person's own tokens (a lab session's are the session's)."""
    return list(ApiToken.objects.filter(user=user, session_id=None).select_related("team"))


def open_session(
    session_id: int, user_id: int, team_id: int, expires_at: datetime, **_: object
) -> None:
    """Receiver of ``session_sockets.wanted``: the session's token, which the endpoint serves
    on the session's socket (its secret is never used: the socket is the credential)."""
    if ApiToken.objects.filter(session_id=session_id, revoked_at=None).exists():
        return  # a session reset starts its workstation again
    ApiToken.objects.create(
        user_id=user_id,
        name=f"lab session {session_id}",
        digest=digest_of(secrets.token_urlsafe(32)),
        prefix="",
        team_id=team_id,
        expires_at=expires_at,
        session_id=session_id,
    )


def end_session(session_id: int, **_: object) -> None:
    """Receiver of ``session_sockets.ended``: the socket stops answering."""
    ApiToken.objects.filter(session_id=session_id, revoked_at=None).update(
        revoked_at=timezone.now()
    )


def session_tokens() -> dict[int, int]:
    """The lab sessions whose sockets are to be served: token id by session id."""
    valid = ApiToken.objects.filter(
        session_id__isnull=False,
        revoked_at=None,
        expires_at__gt=timezone.now(),
        user__is_active=True,
    )
    return dict(valid.values_list("session_id", "pk"))


def valid_by_id(token_id: int) -> ApiToken | None:
    """The token, if it may still be used (a session socket's has no secret to send)."""
    return (
        ApiToken.objects.select_related("user")
        .filter(pk=token_id, revoked_at=None, expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )


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
