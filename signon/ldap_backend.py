"""LDAP and Active Directory sign-in through django-auth-ldap (python-ldap: the `ldap` extra,
`pip install 'dockboard[ldap]'`). Its settings come from Dockboard's (``DOCKBOARD_LDAP_…``).
People are known by the directory and their DN (``SignOnIdentity``), never by a user name a
local account may share; made at their first sign-in if a group gives them something; their
roles follow their groups at every sign-in, as with OpenID Connect (``signon.actions``)."""

import ldap
from django.conf import settings
from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django_auth_ldap.backend import LDAPBackend
from django_auth_ldap.config import (
    GroupOfNamesType,
    LDAPSearch,
    LDAPSettings,
    NestedActiveDirectoryGroupType,
    PosixGroupType,
)

from signon import actions
from signon.groups import granted
from signon.models import SignOnIdentity
from signon.naming import free_username
from signon.refusals import REFUSAL_ATTRIBUTE

GROUP_TYPES = {
    "groupOfNames": lambda: GroupOfNamesType(name_attr="cn"),
    "activeDirectory": lambda: NestedActiveDirectoryGroupType(name_attr="cn"),
    "posixGroup": lambda: PosixGroupType(name_attr="cn"),
}


def _search(setting: str, value: str) -> LDAPSearch:
    """``BASE?FILTER``, searched under BASE."""
    base, question, search_filter = value.partition("?")
    if not question or not base or not search_filter:
        raise ValueError(f"{setting} must be BASE?FILTER, not {value!r}")
    return LDAPSearch(base, ldap.SCOPE_SUBTREE, search_filter)


def _settings() -> LDAPSettings:
    configured = LDAPSettings(prefix="DOCKBOARD_UNUSED_")  # django-auth-ldap's defaults
    configured.SERVER_URI = settings.DOCKBOARD_LDAP_URI
    configured.BIND_DN = settings.DOCKBOARD_LDAP_BIND_DN
    configured.BIND_PASSWORD = settings.DOCKBOARD_LDAP_BIND_PASSWORD
    configured.USER_SEARCH = _search(
        "DOCKBOARD_LDAP_USER_SEARCH", settings.DOCKBOARD_LDAP_USER_SEARCH
    )
    configured.GROUP_SEARCH = _search(
        "DOCKBOARD_LDAP_GROUP_SEARCH", settings.DOCKBOARD_LDAP_GROUP_SEARCH
    )
    configured.GROUP_TYPE = GROUP_TYPES[settings.DOCKBOARD_LDAP_GROUP_TYPE]()
    configured.USER_ATTR_MAP = {"email": "mail"}
    configured.ALWAYS_UPDATE_USER = True
    configured.START_TLS = settings.DOCKBOARD_LDAP_START_TLS
    options = {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 10}
    if settings.DOCKBOARD_LDAP_CA:
        options |= {ldap.OPT_X_TLS_CACERTFILE: settings.DOCKBOARD_LDAP_CA, ldap.OPT_X_TLS_NEWCTX: 0}
    configured.CONNECTION_OPTIONS = options
    return configured


class LDAPDirectory(LDAPBackend):
    """``signing_in`` False: the worker's re-check (``recheck``), which makes nobody."""

    def __init__(self, request: object, *, signing_in: bool = True) -> None:
        self.request = request
        self.signing_in = signing_in
        self.login = ""
        self.settings = _settings()

    def _refuse(self, ldap_user: object, message: str) -> None:
        if self.request is not None:
            setattr(self.request, REFUSAL_ATTRIBUTE, message)
        raise ldap_user.AuthenticationFailed(message)

    def authenticate(self, request: object, username: str | None = None,
                     password: str | None = None, **kwargs: object) -> User | None:  # fmt: skip
        self.login = (username or "").strip()
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_or_build_user(self, username: str, ldap_user: object) -> tuple[User, bool]:
        groups = sorted(ldap_user.group_names)
        identity = (
            SignOnIdentity.objects.select_related("user")
            .filter(issuer=settings.DOCKBOARD_LDAP_URI, subject=ldap_user.dn)
            .first()
        )
        no_place = _(
            "Your groups in the directory give you no place in Dockboard: ask an administrator."
        )
        if not granted(groups):
            if identity is not None:
                actions.shut_out(identity.user, identity, groups)
            self._refuse(ldap_user, no_place)
        if identity is None:
            if not self.signing_in:  # a re-check found someone else under that login
                self._refuse(ldap_user, "not signed in here")
            return User(username=free_username(username)), True
        if not identity.user.is_active and not identity.shut_out:
            self._refuse(ldap_user, _("This account is deactivated."))
        return identity.user, False

    def authenticate_ldap_user(self, ldap_user: object, password: str) -> User | None:
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        groups = sorted(ldap_user.group_names)
        identity, _made = SignOnIdentity.objects.get_or_create(
            issuer=settings.DOCKBOARD_LDAP_URI, subject=ldap_user.dn, defaults={"user": user}
        )
        if identity.login != self.login:
            identity.login = self.login
            identity.save(update_fields=["login"])
        actions.follow_groups(user, identity, groups, granted(groups))
        user.refresh_from_db()
        return user

    def recheck(self, identity: SignOnIdentity) -> None:
        """Their roles made what their groups give now, read with the service account. Only
        what the directory says counts: someone it no longer finds, or a directory that does
        not answer, is left as they are (``populate_user`` answers None for both)."""
        user = self.populate_user(identity.login)
        if user is None or user.pk != identity.user_id:
            return
        groups = sorted(user.ldap_user.group_names)
        identity.refresh_from_db()
        actions.follow_groups(user, identity, groups, granted(groups), signed_in=False)
