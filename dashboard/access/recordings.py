"""The gatekeeper of terminal recordings."""

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from dashboard.access.roles import Role, User, is_administrator, team_roles
from dashboard.engine.errors import NotFound
from dashboard.models import TerminalRecording


def visible_recordings(user: User) -> Any:
    """Administrators see every recording; others their own terminals' and their containers',
    and instructors their teams'."""
    if not (user.is_authenticated and user.is_active):
        return TerminalRecording.objects.none()
    if is_administrator(user):
        return TerminalRecording.objects.all()
    instructed = [team for team, role in team_roles(user).items() if role == Role.INSTRUCTOR]
    return TerminalRecording.objects.filter(
        Q(user=user) | Q(owner_id=user.pk) | Q(team_id__in=instructed)
    )


def access_recording(user: User, recording_id: object) -> TerminalRecording:
    recording = (
        visible_recordings(user).filter(pk=recording_id).first()
        if str(recording_id).isdecimal()
        else None
    )
    if recording is None:
        raise NotFound(_("No such recording: %(ref)s") % {"ref": recording_id})
    return recording
