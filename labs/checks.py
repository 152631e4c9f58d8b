"""A step's checks, run for its learner: ``exec`` scripts in a session container, and ``engine``
assertions about the learner's own objects, looked up through the gatekeeper as the learner."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.access import images as images_access
from dashboard.access.objects import rights_on
from dashboard.access.roles import Rights
from dashboard.engine import containers as engine_containers
from dashboard.engine import probe as engine_probe
from dashboard.engine.errors import EngineError, NotFound
from dashboard.models import AuditEvent
from dashboard.notation.engine_words import event_word, state_word
from dashboard.notation.names import container_name
from dashboard.notation.reference import InvalidReference, parse_reference
from dashboard.policy.ownership import Kind
from dashboard.terminal.groups import mark_recordings
from labs import runtime
from labs.models import CheckResult, LabSession
from labs.template import Check, substitute

KINDS = {"C": 0, "A": 1, "D": 2}  # `docker diff`'s letters, as the engine numbers them


@dataclass
class Outcome:
    passed: bool
    lines: list[str]


def run_step(session: LabSession, index: int, answer: str = "") -> Outcome:
    """Run every check of step ``index``; record the result and the steps passed."""
    step = session.lab_class.template.steps[index]
    values = runtime.values_for(session)
    lines: list[str] = []
    passed = True
    with runtime.on_engine(session):
        for check in step.checks:
            try:
                outcome = _run(session, check, values, answer.strip())
            except EngineError as exc:
                outcome = Outcome(False, [_("FAIL: %(reason)s") % {"reason": exc.message}])
            passed = passed and outcome.passed
            lines += outcome.lines
    if passed and not lines:
        lines = [_("Passed.")]
    _record(session, index, passed, "\n".join(lines))
    _mark(session, index, str(step.title), passed)
    return Outcome(passed, lines)


def _mark(session: LabSession, index: int, title: str, passed: bool) -> None:
    """A marker with the step's name in the recordings of the session's open terminals."""
    text = f"step {index + 1}: {title} ({'passed' if passed else 'not yet'})"
    with runtime.on_engine(session):
        try:
            summaries = _session_summaries(session)
        except EngineError:
            return
    for summary in summaries:
        mark_recordings(summary["Id"], text)


def _record(session: LabSession, index: int, passed: bool, output: str) -> None:
    with transaction.atomic():
        current = LabSession.objects.select_for_update().get(pk=session.pk)
        steps = set(current.steps_passed)
        # A step once passed stays passed: a later step may stop or remove what it checked.
        steps = steps | {index} if passed else steps
        LabSession.objects.filter(pk=session.pk).update(
            steps_passed=sorted(steps), last_output=output, last_activity_at=timezone.now()
        )
        CheckResult.objects.create(session=session, step=index, passed=passed, output=output)


def _run(session: LabSession, check: Check, values: dict[str, str], answer: str) -> Outcome:
    if check.kind == "exec":
        return _run_exec(session, check, values)
    if check.kind == "command":
        return _ran(session, substitute(check.ran, values))
    failures: list[str] = []
    container = None
    if check.container:
        container = _find_container(session, dict(check.container), values, failures)
    if check.image:
        image = substitute(check.image, values)
        _check_image(session, image, failures, answer, check.answer)
        if check.pulled and not failures and not _pulled_by_learner(session, image):
            failures.append(
                _("FAIL: %(image)s is here, but you have not pulled it in this session yet.")
                % {"image": image}
            )
    if check.diff:
        _check_diff(session, dict(check.diff), values, failures, answer, check.answer)
    if container and check.answer in ("id", "hostname") and not failures:
        expected = container["Id"] if check.answer == "id" else container["Config"]["Hostname"]
        if answer.lower() != expected.lower():
            failures.append(
                _("FAIL: that is not the container's %(what)s.") % {"what": check.answer}
            )
    return Outcome(not failures, failures)


def _ran(session: LabSession, line: str) -> Outcome:
    """Whether the learner ran ``line`` (a command that begins so) during the session, as the
    audit log has it: the Engine API endpoint writes every call there with its docker line."""
    ran = AuditEvent.objects.filter(
        actor_id=session.learner_id,
        created_at__gte=session.created_at,
        outcome=AuditEvent.Outcome.OK,
        command__startswith=line,
    ).exists()
    if ran:
        return Outcome(True, [])
    return Outcome(False, [_("FAIL: you have not run %(line)s yet.") % {"line": line}])


def _run_exec(session: LabSession, check: Check, values: dict[str, str]) -> Outcome:
    try:
        container = runtime.service_container(session, check.service)
    except NotFound:
        return Outcome(
            False, [_("FAIL: the %(service)s service is gone.") % {"service": check.service}]
        )
    if not container["State"]["Running"]:
        return Outcome(
            False, [_("FAIL: the %(service)s service is not running.") % {"service": check.service}]
        )
    result = runtime.run_script(session, container, substitute(check.script, values), check.timeout)
    fails = [line for line in result.output.splitlines() if line.startswith("FAIL:")]
    if result.exit_code is None:
        fails.append(
            _("FAIL: the check took longer than %(seconds)d seconds.") % {"seconds": check.timeout}
        )
    elif result.exit_code != 0 and not fails:
        fails.append(_("FAIL: the check exited with code %(code)d.") % {"code": result.exit_code})
    return Outcome(result.exit_code == 0, fails)


def _session_summaries(session: LabSession) -> list[dict[str, Any]]:
    """The session's containers the learner may see (the gatekeeper's rule, one engine call)."""
    found = runtime.session_containers(session)
    rights = rights_on(session.learner, Kind.CONTAINER, found)
    return [summary for summary in found if rights[summary["Id"]] is not Rights.NONE]


def _same_image(asked: str, actual: str) -> bool:
    try:
        return str(parse_reference(asked)) == str(parse_reference(actual))
    except ValueError:
        return asked == actual


def _find_container(
    session: LabSession, wanted: dict[str, Any], values: dict[str, str], failures: list[str]
) -> dict[str, Any] | None:
    name = substitute(str(wanted.get("name", "")), values)
    for summary in _session_summaries(session):
        if name and f"/{name}" not in summary["Names"]:
            continue
        if "image" in wanted and not _same_image(
            substitute(wanted["image"], values), summary["Image"]
        ):
            continue
        container = engine_containers.inspect_container(summary["Id"])
        failures += _container_failures(session, container, wanted)
        return container
    failures.append(
        _("FAIL: no container %(name)s of yours in this session.") % {"name": name or ""}
    )
    return None


def _container_failures(session: LabSession, container: dict, wanted: dict[str, Any]) -> list[str]:
    failures = []
    name = container_name(container)
    if "state" in wanted and container["State"]["Status"] != wanted["state"]:
        failures.append(
            _("FAIL: %(name)s is %(state)s, not %(wanted)s.")
            % {
                "name": name,
                "state": state_word(container["State"]["Status"]),
                "wanted": state_word(wanted["state"]),
            }
        )
    for key, option, config in (("tty", "-t", "Tty"), ("stdin", "-i", "OpenStdin")):
        if key in wanted and bool(container["Config"][config]) != wanted[key]:
            failures.append(
                _("FAIL: %(name)s was not created as %(option)s asks.")
                % {"name": name, "option": option}
            )
    if "event" in wanted and not engine_probe.container_had_event(
        container["Id"], wanted["event"], session.created_at
    ):
        failures.append(
            _("FAIL: %(name)s has had no %(event)s yet.")
            % {"name": name, "event": event_word(wanted["event"])}
        )
    return failures


def _check_image(
    session: LabSession, reference: str, failures: list[str], answer: str, asked: str
) -> None:
    try:
        image = images_access.access_image(session.learner, reference)
    except NotFound:
        failures.append(_("FAIL: image %(image)s is not here.") % {"image": reference})
        return
    if asked == "layers" and answer != str(len(image.get("RootFS", {}).get("Layers") or [])):
        failures.append(_("FAIL: that is not the number of the image's layers."))


def _pulled_by_learner(session: LabSession, image: str) -> bool:
    """Images are shared on an engine: the learner's own pull (from the page or their `docker
    pull`, both audited as theirs) since the session began proves the step."""
    try:
        familiar = parse_reference(image).familiar
    except InvalidReference:
        return False
    return AuditEvent.objects.filter(
        actor=session.learner,
        action="pull",
        outcome=AuditEvent.Outcome.OK,
        target_name=familiar,
        created_at__gte=session.created_at,
    ).exists()


def _check_diff(
    session: LabSession,
    wanted: dict[str, str],
    values: dict[str, str],
    failures: list[str],
    answer: str,
    asked: str,
) -> None:
    container = _find_container(session, {"name": wanted.get("container", "")}, values, failures)
    if container is None:
        return
    changes = engine_containers.container_changes(container["Id"])
    if asked == "changes" and answer != str(len(changes)):
        failures.append(_("FAIL: that is not the number of changes docker diff shows."))
    path = substitute(wanted.get("path", ""), values)
    kind = KINDS.get(wanted.get("kind", ""))
    if path and not any(
        change["Path"] == path and (kind is None or change["Kind"] == kind) for change in changes
    ):
        failures.append(_("FAIL: %(path)s is not in the container's changes.") % {"path": path})
