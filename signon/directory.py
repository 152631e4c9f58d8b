"""The password sign-in's backends, in the order settings.AUTHENTICATION_BACKENDS lists them:

1. ``DirectoryBackend``: the LDAP directory, when DOCKBOARD_LDAP_URI is set (python-ldap is
   imported only then);
2. ``PasswordGate``: with DOCKBOARD_LOCAL_LOGIN=off, no Dockboard password but the break-glass
   administrator's is tried (Django stops at its refusal);
3. Django's ``ModelBackend``: Dockboard's own passwords.
"""

from django.conf import settings
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import PermissionDenied


class DirectoryBackend(ModelBackend):
    """Its ``get_user`` is ModelBackend's: a session lasts while the account is active."""

    def authenticate(self, request: object, username: str | None = None,
                     password: str | None = None, **kwargs: object) -> object:  # fmt: skip
        if not settings.DOCKBOARD_LDAP_URI or username is None or not password:
            return None
        from signon.ldap_backend import LDAPDirectory  # needs python-ldap

        return LDAPDirectory(request).authenticate(request, username=username, password=password)


def local_passwords_for(username: str) -> bool:
    return settings.DOCKBOARD_LOCAL_LOGIN or (
        bool(settings.DOCKBOARD_BREAK_GLASS) and username == settings.DOCKBOARD_BREAK_GLASS
    )


class PasswordGate(BaseBackend):
    def authenticate(self, request: object, username: str | None = None,
                     password: str | None = None, **kwargs: object) -> None:  # fmt: skip
        if username is not None and password is not None and not local_passwords_for(username):
            raise PermissionDenied
        return None
