"""The gatekeeper of the audit log: who reads which rows."""

from typing import Any

from django.utils.translation import gettext as _

from dashboard.access.roles import User, grants_for
from dashboard.engine.errors import Denied
from dashboard.models import AuditEvent, Membership


def visible_audit_events(user: User) -> Any:
    """Administrators read every row; instructors their teams' rows; nobody else any."""
    grants = grants_for(user)
    if grants.admin:
        return AuditEvent.objects.all()
    instructed = grants.teams_with(Membership.Role.INSTRUCTOR)
    if not instructed:
        raise Denied(_("Only administrators and instructors read the audit log."))
    return AuditEvent.objects.filter(team_id__in=instructed)
