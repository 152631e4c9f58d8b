"""Which stored registry login a pull uses. The gate picks it, so a team's login reaches only
the pulls its own policy lets through, and it travels sealed in the ``CheckedPull``."""

import logging

from django.utils import timezone

from dashboard.access.roles import User, grants_for
from dashboard.models import Membership, RegistryLogin
from dashboard.notation.reference import ImageReference
from dashboard.ops import vault
from dashboard.policy.image_patterns import matches
from dashboard.policy.sealed import RegistryAuth

log = logging.getLogger(__name__)


def login_for(user: User | None, reference: ImageReference, engine: str) -> RegistryAuth | None:
    """The login for ``reference``'s registry of a team that lets the user pull it (any team,
    for an administrator; with no user, as the installation's own update checks ask, a team
    whose allow-list names it): one for this engine before one for every engine, then the team
    made first. None when there is none, or the keys here cannot open it."""
    anyone = user is not None and grants_for(user).admin
    logins = RegistryLogin.objects.filter(registry=reference.domain, engine__in=[engine, ""])
    if user is not None and not anyone:
        teams = grants_for(user).teams_with(Membership.Role.INSTRUCTOR, Membership.Role.MEMBER)
        logins = logins.filter(team__in=teams)
    usable = [
        login
        for login in logins.select_related("team")
        if anyone or matches(login.team.image_patterns, str(reference))
    ]
    if not usable:
        return None
    login = min(usable, key=lambda row: (row.engine == "", row.team_id))
    try:
        password = vault.decrypt(login.secret)
    except vault.VaultError as exc:
        log.warning("registry login %s of team %s: %s", login.pk, login.team_id, exc)
        return None
    RegistryLogin.objects.filter(pk=login.pk).update(last_used_at=timezone.now())
    return RegistryAuth(login.registry, login.username, password)


def registries_for(user: User) -> list[RegistryLogin]:
    """The stored logins whose registries the user's pulls may use (the pull page lists them)."""
    grants = grants_for(user)
    logins = RegistryLogin.objects.select_related("team").order_by("registry", "team__name")
    if grants.admin:
        return list(logins)
    teams = grants.teams_with(Membership.Role.INSTRUCTOR, Membership.Role.MEMBER)
    return list(logins.filter(team__in=teams))
