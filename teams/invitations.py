"""Invitations: issue a one-time link into a team, and spend it on a new account."""

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.models import Membership, Team
from teams.models import Invitation


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(team: Team, role: str, by: User | None, note: str = "") -> str:
    """A fresh token; the link is ``link_path(token)``. Only its digest is kept."""
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        digest=_digest(token),
        team=team,
        role=role,
        note=note[:200],
        created_by=by if by is not None and by.is_authenticated else None,
    )
    _audit(by, "invite", team, role, note)
    return token


def _audit(by: User | None, action: str, team: Team, role: str, note: str) -> None:
    """A row in the team's audit log: the team, the role and who the link is for."""
    audit.record(
        by,
        action,
        target_kind="team",
        target_id=str(team.pk),
        target_name=f"{team.name} ({role}) {note}".strip(),
        team_id=team.pk,
        actor_name="manage.py",  # when no user did it
    )


def issue_many(team: Team, role: str, by: User | None, notes: list[str]) -> list[str]:
    """A token for each note, made together: all of them or, should one fail, none."""
    with transaction.atomic():
        return [issue(team, role, by, note) for note in notes]


def revoke(invitation: Invitation, by: User) -> None:
    """The link stops working now; its row stays, as a spent one does."""
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    _audit(by, "invitation-revoked", invitation.team, invitation.role, invitation.note)


def open_invitations(team: Team) -> object:
    return Invitation.objects.filter(
        team=team, used_at=None, expires_at__gt=timezone.now()
    ).select_related("created_by")


def link_path(token: str) -> str:
    return reverse("teams:invitation", args=[token])


def open_invitation(token: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("team").filter(digest=_digest(token)).first()
    return invitation if invitation is not None and invitation.is_open else None


def accept(token: str, username: str, password: str) -> AbstractBaseUser | None:
    """Spend the invitation on a new account in its team; None if it was spent meanwhile."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(digest=_digest(token)).first()
        if invitation is None or not invitation.is_open:
            return None
        user = get_user_model().objects.create_user(username=username, password=password)
        Membership.objects.create(user=user, team=invitation.team, role=invitation.role)
        Invitation.objects.filter(pk=invitation.pk).update(used_at=timezone.now(), used_by=user)
    audit.record(
        user,
        "invitation-used",
        target_kind="team",
        target_id=str(invitation.team_id),
        target_name=f"{invitation.team.name} ({invitation.role})",
        team_id=invitation.team_id,
    )
    return user
