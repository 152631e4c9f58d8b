"""The labs' gatekeeper: classes and sessions answer "not found" alike whether missing or not
the user's; a learner sees their own sessions, a class's instructors and administrators all."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dashboard.access.roles import User, is_administrator, team_roles
from dashboard.engine.errors import Denied, NotFound
from dashboard.models import Membership
from labs.models import Lab, LabClass, LabSession

Role = Membership.Role


def may_author(user: User) -> bool:
    """Administrators and instructors import labs and open classes."""
    return is_administrator(user) or Role.INSTRUCTOR in team_roles(user).values()


def instructed_team_ids(user: User) -> list[int] | None:
    """The teams whose classes the user runs; None: every team (an administrator)."""
    if is_administrator(user):
        return None
    return sorted(team for team, role in team_roles(user).items() if role == Role.INSTRUCTOR)


def visible_classes(user: User) -> QuerySet[LabClass]:
    classes = LabClass.objects.select_related("version__lab", "team")
    if is_administrator(user):
        return classes
    return classes.filter(team_id__in=list(team_roles(user)))


def access_class(user: User, class_id: object, *, manage: bool = False) -> LabClass:
    lab_class = (
        visible_classes(user).filter(pk=class_id).first() if str(class_id).isdecimal() else None
    )
    if lab_class is None:
        raise NotFound(_("No such class: %(ref)s") % {"ref": class_id})
    if manage and not may_manage_class(user, lab_class):
        raise NotFound(_("No such class: %(ref)s") % {"ref": class_id})
    return lab_class


def may_manage_class(user: User, lab_class: LabClass) -> bool:
    return may_run_classes_of(user, lab_class.team_id)


def may_run_classes_of(user: User, team_id: int) -> bool:
    """The team's instructors and the administrators open, watch and end its classes."""
    return is_administrator(user) or team_roles(user).get(team_id) == Role.INSTRUCTOR


def managers_of(lab_class: LabClass) -> set[int]:
    """The ids of the active users who may manage the class: its team's instructors and the
    administrators."""
    users = get_user_model().objects.filter(is_active=True)
    instructors = Membership.objects.filter(team_id=lab_class.team_id, role=Role.INSTRUCTOR)
    chosen = users.filter(is_superuser=True) | users.filter(pk__in=instructors.values("user_id"))
    return set(chosen.values_list("pk", flat=True))


def may_learn_in(user: User, lab_class: LabClass) -> bool:
    return team_roles(user).get(lab_class.team_id) in (Role.MEMBER, Role.INSTRUCTOR)


def access_session(user: User, session_id: object) -> LabSession:
    """The learner's own session, or one of a class the user manages."""
    sessions = LabSession.objects.filter(learner__isnull=False).select_related(
        "lab_class__version__lab", "lab_class__team", "learner"
    )
    session = sessions.filter(pk=session_id).first() if str(session_id).isdecimal() else None
    if session is None or not (
        session.learner_id == user.pk or may_manage_class(user, session.lab_class)
    ):
        raise NotFound(_("No such lab session: %(ref)s") % {"ref": session_id})
    return session


def access_own_session(user: User, session_id: object) -> LabSession:
    """What only the learner does (checks): others, even instructors, are refused."""
    session = access_session(user, session_id)
    if session.learner_id != user.pk:
        raise Denied(_("Only the session's learner runs its checks."))
    return session


def access_lab(user: User, slug: str) -> Lab:
    """Authors read the library; learners meet a lab through its classes (its checks are not
    theirs to read)."""
    lab = Lab.objects.filter(slug=slug).first()
    if lab is None or not lab.versions.exists() or not may_author(user):
        raise NotFound(_("No such lab: %(ref)s") % {"ref": slug})
    return lab
