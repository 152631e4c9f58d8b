"""The OpenID Connect backend: mozilla-django-oidc's authorization code flow (with PKCE and a
nonce), with what it leaves to its users:

- the provider's endpoints from its discovery document, read when a sign-in needs them (a
  password sign-in never waits on the provider);
- the ID token's issuer, audience and times checked (the library checks its signature only);
- people found by issuer and subject, never by e-mail address; made at their first sign-in;
- their roles made what their groups give, at every sign-in (``signon.actions``).
"""

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from signon import actions, discovery
from signon.groups import granted
from signon.models import SignOnIdentity
from signon.naming import free_username
from signon.refusals import SignOnRefused

LEEWAY_SECONDS = 60


def provider_name() -> str:
    return settings.DOCKBOARD_OIDC_NAME


class OIDCBackend(OIDCAuthenticationBackend):
    OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return discovery.endpoint("OIDC_OP_TOKEN_ENDPOINT")

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return discovery.endpoint("OIDC_OP_USER_ENDPOINT")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return discovery.endpoint("OIDC_OP_JWKS_ENDPOINT")

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:
        return import_from_settings("OIDC_RP_CLIENT_ID")

    @property
    def OIDC_RP_CLIENT_SECRET(self) -> str:
        return import_from_settings("OIDC_RP_CLIENT_SECRET")

    def get_user(self, user_id: int) -> User | None:
        # The library's own skips the active check: a deactivated person's session would live on.
        return ModelBackend.get_user(self, user_id)

    def authenticate(self, request: object, **kwargs: object) -> User | None:
        # Only the callback view passes a nonce: a password sign-in never reaches the provider.
        if not settings.DOCKBOARD_OIDC_ISSUER or "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as error:
            raise SignOnRefused(
                _("%(provider)s did not complete the sign-in (%(error)s). Sign in again.")
                % {"provider": provider_name(), "error": error}
            ) from error

    def _verify_jws(self, payload: str, key: object) -> dict:
        """The signature, and the claims OpenID Connect Core 3.1.3.7 asks a client to check."""
        algorithm = jwt.get_unverified_header(payload).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SignOnRefused(_("The ID token is not signed as agreed: refused."))
        try:
            return jwt.decode(
                payload, key, algorithms=[algorithm], audience=self.OIDC_RP_CLIENT_ID,
                issuer=discovery.issuer(), leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "sub", "exp", "iat"]},
            )  # fmt: skip
        except jwt.ExpiredSignatureError as error:
            raise SignOnRefused(
                _("The sign-in from %(provider)s had expired: sign in again.")
                % {"provider": provider_name()}
            ) from error
        except jwt.InvalidIssuerError as error:
            raise SignOnRefused(
                _("The ID token was issued by someone other than %(issuer)s: refused.")
                % {"issuer": discovery.issuer()}
            ) from error
        except jwt.InvalidTokenError as error:
            raise SignOnRefused(
                _("The ID token was refused: %(error)s.") % {"error": error}
            ) from error

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> User:
        claims = self.get_userinfo(access_token, id_token, payload)
        subject = payload["sub"]
        if claims.get("sub") != subject:  # Core 5.3.2: the answer must be about the token's one
            raise SignOnRefused(_("The provider's answer was about someone else: refused."))
        groups = claims.get(settings.DOCKBOARD_OIDC_GROUPS_CLAIM) or []
        groups = [groups] if isinstance(groups, str) else [str(g) for g in groups]
        given = granted(groups)
        identity = (
            SignOnIdentity.objects.select_related("user")
            .filter(issuer=discovery.issuer(), subject=subject)
            .first()
        )
        no_place = SignOnRefused(
            _("Your groups at %(provider)s give you no place in Dockboard: ask an administrator.")
            % {"provider": provider_name()}
        )
        if identity is None:
            if not given:
                raise no_place
            identity = SignOnIdentity.objects.create(
                user=self._new_user(claims), issuer=discovery.issuer(), subject=subject
            )
        user = identity.user
        if not given:
            actions.shut_out(user, identity, groups)
            raise no_place
        if not user.is_active and not identity.shut_out:
            raise SignOnRefused(_("This account is deactivated."))
        actions.follow_groups(user, identity, groups, given)
        user.refresh_from_db()
        return user

    def _new_user(self, claims: dict) -> User:
        """A user for someone signing in for the first time; they have no password here."""
        wanted = claims.get("preferred_username") or (claims.get("email") or "").split("@")[0]
        return self.UserModel.objects.create_user(
            free_username(str(wanted)), email=claims.get("email") or ""
        )
