"""A session's objects on the engine: made, stopped, resumed, reset and removed.

Everything a session owns carries ``dockboard.lab.session=<id>``: its services, its network, and
whatever its learner creates while it is active (added by the gate through ``extra_labels``).
Removal goes by that label alone, so the reaper never touches anything else.
"""

import contextlib
import contextvars
import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard import engine, engine_networks, labels, policy, policy_networks
from dashboard.engine import EngineError, NotFound
from dashboard.reference import parse_reference
from labs.models import LabClass, LabSession
from labs.template import Service, substitute

log = logging.getLogger(__name__)
_launching: contextvars.ContextVar[LabSession | None] = contextvars.ContextVar(
    "lab_session_launching", default=None
)


def session_labels(session: LabSession) -> dict[str, str]:
    latest = session.created_at + timedelta(
        minutes=session.lab_class.minutes + session.lab_class.version.template.max_extend_minutes
    )
    return {labels.LAB_SESSION: str(session.pk), labels.EXPIRES: str(int(latest.timestamp()))}


def labels_for(user_id: int | None, team_id: int | None, **_: Any) -> dict[str, str]:
    """Receiver of ``policy.extra_labels``: the lab labels of what a learner creates while one
    of their sessions in that team, on this engine, is active."""
    if launching := _launching.get():
        return session_labels(launching)
    if user_id is None or team_id is None:
        return {}
    session = (
        LabSession.objects.filter(
            learner_id=user_id,
            lab_class__team_id=team_id,
            lab_class__engine=engine.current_name(),
            state__in=LabSession.ACTIVE,
        )
        .select_related("lab_class__version")
        .first()
    )
    return session_labels(session) if session else {}


def values_for(session: LabSession) -> dict[str, str]:
    """The class's parameters and the learner's own: ``${learner}`` is container-name safe."""
    learner = "".join(c if c.isalnum() or c in "_.-" else "-" for c in session.learner.username)
    return {**session.lab_class.parameters, "learner": learner.strip("-.") or "learner"}


def _progress(session: LabSession, text: str) -> None:
    LabSession.objects.filter(pk=session.pk).update(progress=text)


def launch(session: LabSession) -> None:
    """Pull what is missing (the first session of a class pulls, the others find it), make the
    session's network and services through the gate, start them and run the setup script."""
    template = session.lab_class.template
    values = values_for(session)
    token = _launching.set(session)
    try:
        for image in sorted(template.images(values)):
            _progress(session, _("Getting image %(image)s…") % {"image": image})
            _ensure_image(session, image)
        network = ""
        if template.services:
            _progress(session, _("Making the session's network…"))
            network = _network_name(session)
            policy_networks.create_network(session.learner, session.lab_class.team, network)
        for service in template.services:
            _progress(session, _("Starting %(service)s…") % {"service": service.name})
            container_id = policy.create_container(
                session.learner,
                session.lab_class.team_id,
                _create_parameters(session, service, values, network),
            )
            engine.container_action(container_id, "start")
        if template.setup_script:
            _progress(session, _("Running the setup script…"))
            _run_setup(session, values)
    finally:
        _launching.reset(token)


def _network_name(session: LabSession) -> str:
    return f"dockboard-lab-{session.pk}"


def container_name(session: LabSession, service: str) -> str:
    return f"lab{session.pk}-{service}"


def _create_parameters(
    session: LabSession, service: Service, values: dict[str, str], network: str
) -> dict[str, Any]:
    return {
        "image": substitute(service.image, values),
        "name": container_name(session, service.name),
        "hostname": service.name,
        "command": [substitute(word, values) for word in service.command] or None,
        "environment": [f"{k}={substitute(v, values)}" for k, v in service.env] or None,
        "stdin_open": service.interactive,
        "tty": service.tty,
        "labels": {},
        "host_config": {
            "NetworkMode": network,
            "Memory": service.memory,
            "NanoCpus": int(service.cpus * 10**9),
        },
    }


def _ensure_image(session: LabSession, image: str) -> None:
    try:
        engine.inspect_image(image)
        return
    except NotFound:
        pass
    checked = policy.check_pull(session.learner, parse_reference(image))
    response, messages = engine.pull_stream(checked)
    with contextlib.closing(response):
        for message in messages:
            if error := message.get("error"):
                raise EngineError(
                    _("Pull of %(image)s failed: %(error)s") % {"image": image, "error": error}
                )


def _run_setup(session: LabSession, values: dict[str, str]) -> None:
    from labs.checks import run_script  # the checks run scripts the same way

    template = session.lab_class.template
    container = engine.inspect_container(container_name(session, template.setup_service))
    result = run_script(session, container, substitute(template.setup_script, values), 60)
    if result.exit_code != 0:
        raise EngineError(
            _("The setup script failed: %(output)s") % {"output": result.output[-500:]}
        )


def session_containers(session: LabSession) -> list[dict[str, Any]]:
    return engine.list_containers([f"{labels.LAB_SESSION}={session.pk}"])


def remove_objects(session_ids: list[str]) -> int:
    """Remove the containers and networks of these sessions on the current engine; how many."""
    removed = 0
    for summary in engine.list_containers([labels.LAB_SESSION]):
        if (summary.get("Labels") or {}).get(labels.LAB_SESSION) in session_ids:
            with contextlib.suppress(NotFound):
                engine.remove_container(summary["Id"], force=True, volumes=True)
                removed += 1
    for network in engine_networks.list_networks([labels.LAB_SESSION]):
        if (network.get("Labels") or {}).get(labels.LAB_SESSION) in session_ids:
            with contextlib.suppress(NotFound):
                engine_networks.remove_network(network["Id"])
    return removed


def stop_all(session: LabSession) -> None:
    for summary in session_containers(session):
        if summary.get("State") == "running":
            engine.container_action(summary["Id"], "stop")


def start_all(session: LabSession) -> None:
    for summary in session_containers(session):
        if summary.get("State") != "running" and summary["Names"][0].lstrip("/").startswith(
            f"lab{session.pk}-"
        ):
            engine.container_action(summary["Id"], "start")


def on_engine(lab_class: LabClass) -> contextlib.AbstractContextManager[None]:
    return engine.on(lab_class.engine)


def finish(session: LabSession, state: str, error: str = "") -> None:
    """End the session with ``state`` and remove its objects; its record and checks stay.
    Ended first: should the engine fail now, the reaper removes them as orphans later."""
    LabSession.objects.filter(pk=session.pk).update(
        state=state, ended_at=timezone.now(), progress="", **({"error": error} if error else {})
    )
    with on_engine(session.lab_class):
        remove_objects([str(session.pk)])


def container_used(container_labels: dict[str, str], **_: Any) -> None:
    """Receiver of ``activity.container_used``: terminal input is activity in its session."""
    session_id = container_labels.get(labels.LAB_SESSION, "")
    if session_id.isdecimal():
        LabSession.objects.filter(pk=int(session_id)).update(last_activity_at=timezone.now())
