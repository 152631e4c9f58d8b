"""Roles follow the provider's groups, at every sign-in: administrator or not, and a role in
each team the groups map to; each change audited. Someone whose groups give nothing is
deactivated, and their sessions and terminals end."""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dashboard.actions import audit
from dashboard.live.sessions import close_connections, end_sessions
from dashboard.models import Membership
from signon.groups import Granted
from signon.models import SignOnIdentity

ACTOR = "single sign-on"


def _audited(user: User, reason: str, team_id: int | None = None) -> None:
    audit.record(
        None, "sso-role-change", target_kind="user", target_id=str(user.pk),
        target_name=user.get_username(), team_id=team_id, reason=reason, actor_name=ACTOR,
    )  # fmt: skip


@transaction.atomic
def follow_groups(
    user: User, identity: SignOnIdentity, groups: list[str], given: Granted, *,
    signed_in: bool = True,
) -> None:  # fmt: skip
    """``signed_in``: at a sign-in, not at the worker's re-check of the directory."""
    changed = False
    if user.is_superuser != given.administrator:
        user.is_superuser = user.is_staff = given.administrator
        user.save(update_fields=["is_superuser", "is_staff"])
        _audited(user, "administrator" if given.administrator else "no longer administrator")
        changed = True
    held = {m.team_id: m for m in user.memberships.all()}
    for team_id, role in given.roles.items():
        membership = held.pop(team_id, None)
        if membership is None:
            Membership.objects.create(user=user, team_id=team_id, role=role)
        elif membership.role != role:
            Membership.objects.filter(pk=membership.pk).update(role=role)
        else:
            continue
        _audited(user, role, team_id)
        changed = True
    for team_id, membership in held.items():
        membership.delete()
        _audited(user, "removed", team_id)
        changed = True
    if identity.shut_out and given:
        identity.shut_out = False
        user.is_active = True
        user.save(update_fields=["is_active"])
        _audited(user, "groups give a place again")
    identity.groups = groups
    if signed_in:
        identity.signed_in_at = timezone.now()
    identity.save(update_fields=["groups", "signed_in_at", "shut_out"])
    if changed:  # rights are read when a terminal connects: the open ones end
        transaction.on_commit(lambda: close_connections(user.pk))


@transaction.atomic
def shut_out(user: User, identity: SignOnIdentity, groups: list[str]) -> None:
    """No group gives them a place: deactivated, signed out everywhere."""
    identity.groups = groups
    if user.is_active:
        identity.shut_out = True
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit.record(
            None, "deactivate", target_kind="user", target_id=str(user.pk),
            target_name=user.get_username(), reason="no group gives a place", actor_name=ACTOR,
        )  # fmt: skip
        transaction.on_commit(lambda: end_sessions(user.pk))
    identity.save(update_fields=["groups", "shut_out"])
