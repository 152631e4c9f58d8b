"""Where a learner's session runs: on the team's engine with the most memory free.

Free memory is the engine's total (times the overcommit ratio) less what this installation's
running containers there request (the gate records each with its request), less what the
sessions still starting there will take, counted under the class's lock so that Starts at the
same moment spread. An engine that does not answer (in ASK_SECONDS) is passed over; the
class's own engine wins a tie.
"""

from collections import Counter

from django.conf import settings
from django.utils.translation import gettext as _

from dashboard.engine import containers as engine_containers
from dashboard.engine import current as engine
from dashboard.engine import fanout, registry
from dashboard.engine import system as engine_system
from dashboard.engine.registry import LOCAL
from dashboard.notation.units import format_size
from dashboard.policy import labels, ownership
from labs.errors import LabError
from labs.models import LabClass, LabSession
from labs.readiness import engines_used

ASK_SECONDS = 5  # an engine that hangs is passed over after this, as on the all-engines list


def session_memory(lab_class: LabClass) -> int:
    """What one session's services request (as the gate will count them): each service's
    request, or the team's, never above its limit."""
    team = lab_class.team
    return sum(
        min(service.memory_request or team.memory_request, service.memory or team.max_memory)
        for service in lab_class.template.services
    )


def free_memory() -> int:
    """The current engine's memory (times its overcommit ratio) less what this installation's
    running containers on it request, by their records (a label could claim anything)."""
    found = registry.find(engine.current_name())
    ratio = found.memory_ratio if found else settings.DOCKBOARD_OVERCOMMIT
    total = int(int(engine_system.info().get("MemTotal") or 0) * ratio)
    running = [
        s["Id"]
        for s in engine_containers.list_containers([labels.MEMORY])
        if s.get("State") == "running"
    ]
    return total - ownership.held_memory(running)


def free_by_engine(lab_class: LabClass) -> dict[str, int]:
    """Each engine of the team that answers, asked all at once, the class's first, with its free
    memory before the sessions still starting there. Asked before a Start takes the class's
    lock: engine calls are not made under it."""
    if _has_workstation(lab_class) and LOCAL not in lab_class.team.engine_names:
        raise LabError(
            _("This lab's workstation runs on engine %(engine)s, which team %(team)s does not use.")
            % {"engine": LOCAL, "team": lab_class.team.name}
        )
    names = engines_used(lab_class.template, lab_class.team)
    ordered = [lab_class.engine] if lab_class.engine in names else []
    ordered += [name for name in names if name not in ordered]
    answers = fanout.on_each(ordered, free_memory, ASK_SECONDS)
    free = {answer.engine: answer.value for answer in answers if answer.value is not None}
    if not free:
        raise LabError(
            _("No engine of team %(team)s answers now: try again in a moment.")
            % {"team": lab_class.team.name}
        )
    return free


def _has_workstation(lab_class: LabClass) -> bool:
    """A workstation mounts its session's socket from this host: it runs on the local engine."""
    return any(service.workstation for service in lab_class.template.services)


def choose_engine(lab_class: LabClass, free: dict[str, int]) -> str:
    """The engine a new session of the class goes to, of ``free`` (``free_by_engine``) less what
    the sessions starting on each take; refused when none has room for it. Called under the
    class's lock, so that Starts at the same moment count each other and spread."""
    need = session_memory(lab_class)
    starting = Counter(
        LabSession.objects.filter(
            lab_class__team_id=lab_class.team_id, state=LabSession.State.STARTING
        ).values_list("engine", flat=True)
    )
    room = {name: value - starting[name] * need for name, value in free.items()}
    name = max(room, key=room.__getitem__)  # the first of the largest: the class's engine on a tie
    if room[name] < need:
        raise LabError(
            _(
                "No engine of team %(team)s has room for a session: it needs %(need)s of memory,"
                " and the most free is %(free)s on %(engine)s."
            )
            % {
                "team": lab_class.team.name,
                "need": format_size(need),
                "free": format_size(max(room[name], 0)),
                "engine": name,
            }
        )
    return name
