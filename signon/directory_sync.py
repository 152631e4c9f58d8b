"""The worker re-checks the directory's people every DOCKBOARD_LDAP_SYNC_MINUTES: roles follow
their groups between sign-ins too, and someone whose groups give nothing any more is shut out
(their sessions and terminals end) without waiting for them to sign in again."""

import time

from django.conf import settings
from django.dispatch import receiver

from dashboard.ops.housekeeping import every_minute
from signon.models import SignOnIdentity

_last_run = {"at": float("-inf")}


def recheck_everyone() -> int:
    """Each person who signed in through the directory, and was not deactivated by an
    administrator: how many were looked at."""
    from signon.ldap_backend import LDAPDirectory  # needs python-ldap

    directory = LDAPDirectory(None, signing_in=False)
    looked_at = 0
    people = SignOnIdentity.objects.filter(issuer=settings.DOCKBOARD_LDAP_URI).exclude(login="")
    for identity in people.select_related("user"):
        if identity.user.is_active or identity.shut_out:
            directory.recheck(identity)
            looked_at += 1
    return looked_at


@receiver(every_minute)
def recheck_when_due(sender: object, **kwargs: object) -> int:
    if not settings.DOCKBOARD_LDAP_URI:
        return 0
    now = time.monotonic()
    if now - _last_run["at"] < settings.DOCKBOARD_LDAP_SYNC_MINUTES * 60:
        return 0
    _last_run["at"] = now
    return recheck_everyone()
