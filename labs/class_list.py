"""The classes an instructor runs, as the lab list, a lab's page and a team's page show them:
each with its state and its learners, linked to its roster."""

from django.db.models import Count, Q, QuerySet

from dashboard.access.roles import User
from dashboard.interfaces.team_page import Section
from dashboard.models import Team
from labs.access import instructed_team_ids, may_run_classes_of
from labs.models import LabClass, LabSession

SHOWN = 50  # the latest classes; older ones stay in the audit log and the grades export


def managed_classes(user: User) -> QuerySet[LabClass]:
    """The classes whose rosters the user may open (their teams' as an instructor; every class
    for an administrator), the latest first, with ``learners`` (who ever started) and
    ``active_learners`` (with a session now) counted in the same query."""
    classes = LabClass.objects.select_related("version__lab", "team").annotate(
        learners=Count("sessions__learner", distinct=True),
        active_learners=Count(
            "sessions__learner",
            distinct=True,
            filter=Q(sessions__state__in=LabSession.ACTIVE),
        ),
    )
    team_ids = instructed_team_ids(user)
    return classes if team_ids is None else classes.filter(team_id__in=team_ids)


def team_section(team: Team, user: User, **_: object) -> Section | None:
    """Receiver of ``team_page.sections``: the team's classes, for those who run them."""
    if not may_run_classes_of(user, team.pk):
        return None
    classes = managed_classes(user).filter(team=team)[:SHOWN]
    return Section("labs/team_classes.html", {"classes": classes})
