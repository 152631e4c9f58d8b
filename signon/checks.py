"""Start-up checks: a sign-on setting that cannot work stops `make run` with a message."""

import importlib.util

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from signon.groups import configured_rules


@register()
def sign_on_settings(app_configs: object, **kwargs: object) -> list[Error]:
    errors = []
    if settings.DOCKBOARD_LDAP_URI and importlib.util.find_spec("django_auth_ldap") is None:
        errors.append(Error(
            "DOCKBOARD_LDAP_URI is set, but python-ldap is not installed.",
            hint="pip install 'dockboard[ldap]' (Debian: apt install libldap2-dev libsasl2-dev)",
            id="signon.E001",
        ))  # fmt: skip
    if settings.DOCKBOARD_OIDC_ISSUER and not (
        settings.OIDC_RP_CLIENT_ID and settings.OIDC_RP_CLIENT_SECRET
    ):
        errors.append(Error(
            "DOCKBOARD_OIDC_ISSUER is set without DOCKBOARD_OIDC_CLIENT_ID and _SECRET.",
            id="signon.E002",
        ))  # fmt: skip
    try:
        configured_rules()
    except ImproperlyConfigured as error:
        errors.append(Error(str(error), id="signon.E003"))
    return errors
