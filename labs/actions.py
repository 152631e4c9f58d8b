"""What people do with classes and sessions; the views and commands validate, these act."""

import re
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.engine import current as engine
from dashboard.models import Team
from labs import placement, pool, readiness, runtime, workspace
from labs.access import may_learn_in
from labs.errors import LabError
from labs.launch import audit_lab
from labs.library import import_template, team_refusal
from labs.models import LabClass, LabSession, LabVersion
from labs.tasks import launch_session
from labs.template import LabTemplate


def import_lab(user: User, upload: object) -> LabVersion:
    """A lab template's new version (``TemplateError`` says what is wrong with the file)."""
    version = import_template(upload, user)
    audit.record(user, "import lab", target_kind="lab", target_name=version.lab.slug,
                 target_id=str(version.number))  # fmt: skip
    return version


def new_join_code() -> str:
    return secrets.token_hex(3).upper()


def open_class(
    user: User | None,
    version: LabVersion,
    team: Team,
    values: dict[str, str],
    *,
    minutes: int | None = None,
    idle_minutes: int | None = None,
    sessions_per_learner: int = 1,
    join_code: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    engine_name: str = "",
    learners_expected: int = 0,
) -> LabClass:
    template = version.template
    parameters = _checked_parameters(template, team, values)
    _check_pool(user, template, learners_expected)
    engine_name = engine_name or engine.current_name()
    if engine_name not in team.engine_names:
        raise LabError(
            _("Team %(team)s does not use engine %(engine)s.")
            % {"team": team.name, "engine": engine_name}
        )
    if reason := readiness.missing_image_refusal(template, team, parameters):
        raise LabError(reason)
    if starts_at and ends_at and ends_at <= starts_at:
        raise LabError(_("The class must end after it starts."))
    lab_class = LabClass.objects.create(
        version=version,
        team=team,
        engine=engine_name,
        opened_by=user,
        parameters=parameters,
        minutes=minutes or template.minutes,
        idle_minutes=template.idle_minutes if idle_minutes is None else idle_minutes,
        sessions_per_learner=sessions_per_learner,
        join_code=join_code,
        starts_at=starts_at,
        ends_at=ends_at,
        learners_expected=learners_expected,
    )
    audit_lab(user, "open class", lab_class, str(lab_class.pk))
    return lab_class


def _check_pool(user: User | None, template: LabTemplate, learners_expected: int) -> None:
    if not learners_expected:
        return
    if user is None:
        raise LabError(_("Warm sessions are made as the instructor who opens the class."))
    if reason := pool.refusal(template):
        raise LabError(reason)


def _checked_parameters(template: LabTemplate, team: Team, values: dict[str, str]) -> dict:
    """The class's parameters (the defaults where none is given), held to their patterns and to
    the team's policy."""
    parameters = {p.name: values.get(p.name) or p.default for p in template.parameters}
    for parameter in template.parameters:
        if not re.fullmatch(parameter.pattern, parameters[parameter.name]):
            raise LabError(
                _("%(name)s must match %(pattern)s.")
                % {"name": parameter.name, "pattern": parameter.pattern}
            )
    if unknown := set(values) - set(parameters):
        raise LabError(_("This lab has no parameter %(name)s.") % {"name": sorted(unknown)[0]})
    if reason := team_refusal(template, team, parameters):
        raise LabError(reason)
    return parameters


def change_parameters(
    user: User, lab_class: LabClass, values: dict[str, str], learners_expected: int | None = None
) -> None:
    """New parameters for a class that has not ended (a wrong image, say), checked as at its
    opening; the sessions that start from now on, and every check, use them. The learners it
    expects size its warm pool (which keeps being made as the instructor who opened it)."""
    if lab_class.state() == LabClass.State.ENDED:
        raise LabError(_("This class has ended."))
    template = lab_class.template
    parameters = _checked_parameters(template, lab_class.team, values)
    if reason := readiness.missing_image_refusal(template, lab_class.team, parameters):
        raise LabError(reason)
    expected = lab_class.learners_expected if learners_expected is None else learners_expected
    _check_pool(lab_class.opened_by, template, expected)
    LabClass.objects.filter(pk=lab_class.pk).update(
        parameters=parameters, learners_expected=expected
    )
    audit_lab(user, "change class", lab_class, str(lab_class.pk))


def start_session(user: User, lab_class: LabClass, join_code: str = "") -> LabSession:
    """The learner's session: a warm one of the class's pool, claimed, or one queued for the
    worker to make (``tasks.launch_session``)."""
    if not may_learn_in(user, lab_class):
        raise LabError(_("Only the team's members start this lab."))
    if not lab_class.is_open():
        raise LabError(_("This class is not open now."))
    if lab_class.join_code and join_code.strip().upper() != lab_class.join_code.upper():
        raise LabError(_("That join code is not this class's."))

    def room(locked: LabClass) -> None:
        active = locked.sessions.filter(learner=user, state__in=LabSession.ACTIVE).count()
        if active >= locked.sessions_per_learner:
            raise LabError(_("You already have a session of this class: go on with it."))

    if session := pool.claim(user, lab_class, room):
        audit_lab(user, "start lab session", lab_class, str(session.pk))
        return session
    free = placement.free_by_engine(lab_class)
    if held := workspace.engines_holding(lab_class, user.pk):  # the session goes to it
        free = {name: room for name, room in free.items() if name in held}
        if not free:
            raise LabError(
                _("Your workspace is on engine %(engine)s, which does not answer now.")
                % {"engine": held[0]}
            )
    with transaction.atomic():
        locked = LabClass.objects.select_for_update().get(pk=lab_class.pk)
        room(locked)
        engine_name = placement.choose_engine(lab_class, free)
        session = LabSession.objects.create(
            lab_class=locked,
            learner=user,
            engine=engine_name,
            expires_at=timezone.now() + timedelta(minutes=locked.minutes),
            progress=_("Waiting for the worker…"),
        )
        launch_session.enqueue(session.pk)
    return session


def touch(session: LabSession) -> None:
    """Activity: a check, a page action, terminal input."""
    LabSession.objects.filter(pk=session.pk).update(last_activity_at=timezone.now())


def _tell(session: LabSession, notice: LabSession.Notice, by: User | None) -> None:
    """Leave ``notice`` on the session, which its learner's open page shows at once
    (``labs.session_live``); not what the learner did themselves."""
    if by is None or by.pk != session.learner_id:
        LabSession.objects.filter(pk=session.pk).update(notice=notice, notice_at=timezone.now())


def end_session(user: User, session: LabSession) -> None:
    _tell(session, LabSession.Notice.ENDED, user)
    runtime.finish(session, LabSession.State.ENDED)
    audit_lab(user, "end lab session", session.lab_class, str(session.pk))


def end_class(user: User, lab_class: LabClass) -> None:
    LabClass.objects.filter(pk=lab_class.pk).update(ended_at=timezone.now())
    for session in lab_class.sessions.filter(state__in=LabSession.ACTIVE):
        _tell(session, LabSession.Notice.CLASS_ENDED, None)
        runtime.finish(session, LabSession.State.ENDED)
    audit_lab(user, "end class", lab_class, str(lab_class.pk))


def extend(user: User, session: LabSession) -> int:
    """Add the template's extension; the minutes added (refused past its maximum)."""
    template = session.lab_class.template
    step = template.extend_minutes
    if not step or session.extended_minutes + step > template.max_extend_minutes:
        raise LabError(_("This session cannot be extended further."))
    LabSession.objects.filter(pk=session.pk).update(
        expires_at=session.expires_at + timedelta(minutes=step),
        extended_minutes=session.extended_minutes + step,
        last_activity_at=timezone.now(),
    )
    _tell(session, LabSession.Notice.EXTENDED, user)
    audit_lab(user, "extend lab session", session.lab_class, str(session.pk))
    return step


def resume(user: User, session: LabSession) -> None:
    """Start an idle session's containers again (its time limit still runs)."""
    if session.state != LabSession.State.IDLE:
        raise LabError(_("Only a session stopped while idle can be resumed."))
    with runtime.on_engine(session):
        runtime.start_all(session)
    LabSession.objects.filter(pk=session.pk).update(
        state=LabSession.State.RUNNING, last_activity_at=timezone.now()
    )
    audit_lab(user, "resume lab session", session.lab_class, str(session.pk))


def reset(user: User, session: LabSession) -> None:
    """Remove what the session made and make its services again from the template: audited as
    the reset of whoever asked (an instructor, or the learner), not as a new start."""
    if not session.is_active:
        raise LabError(_("This session has ended."))
    with runtime.on_engine(session):
        runtime.remove_objects([str(session.pk)])
    with transaction.atomic():
        LabSession.objects.filter(pk=session.pk).update(
            state=LabSession.State.STARTING,
            progress=_("Resetting…"),
            steps_passed=[],
            last_output="",
            last_activity_at=timezone.now(),
        )
        _tell(session, LabSession.Notice.RESET, user)
        audit_lab(user, "reset lab session", session.lab_class, str(session.pk))
        launch_session.enqueue(session.pk, again=True)
