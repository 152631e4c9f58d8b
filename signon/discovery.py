"""The provider's endpoints, read from its discovery document
(``ISSUER/.well-known/openid-configuration``) when first needed, and kept for the process."""

import functools

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from signon.refusals import SignOnRefused

TIMEOUT_SECONDS = 10
# mozilla-django-oidc's settings, and the discovery document's names for them.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def issuer() -> str:
    return settings.DOCKBOARD_OIDC_ISSUER.rstrip("/")


@functools.cache
def _document(issuer_url: str) -> dict:
    url = f"{issuer_url}/.well-known/openid-configuration"
    try:
        answer = requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False)
        answer.raise_for_status()
        document = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise SignOnRefused(
            _("The sign-on provider did not answer (%(error)s). Try again later.")
            % {"error": error}
        ) from error
    # OpenID Connect Discovery 1.0, 4.3: the document must name the issuer it was asked for.
    if document.get("issuer", "").rstrip("/") != issuer_url:
        raise SignOnRefused(
            _("The sign-on provider calls itself %(found)s, not %(expected)s: refused.")
            % {"found": document.get("issuer", "?"), "expected": issuer_url}
        )
    return document


def endpoint(setting: str) -> str:
    """The provider's endpoint for one of mozilla-django-oidc's ``OIDC_OP_…`` settings."""
    return _document(issuer())[ENDPOINTS[setting]]


def forget() -> None:
    """Read the document again next time (tests; a provider that moved)."""
    _document.cache_clear()
