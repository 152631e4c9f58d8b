"""A session's objects on the engine: made, stopped, resumed, reset and removed.

Everything a session owns carries ``dockboard.lab.session=<id>``: its services, its network, and
whatever its learner creates while it is active (added by the gate through ``extra_labels``).
The label narrows the engine's list; what belongs to a session is the ownership record, or,
should the record be lost, the label on an object that carries this installation's id. Another
installation's sessions (their ids repeat ours) and labels copied from an image are never ours.
"""

import concurrent.futures
import contextlib
import contextvars
import ipaddress
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django import db
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.access import containers as containers_access
from dashboard.access.roles import User
from dashboard.engine import containers as engine_containers
from dashboard.engine import current as engine
from dashboard.engine import images as engine_images
from dashboard.engine import networks as engine_networks
from dashboard.engine import probe as engine_probe
from dashboard.engine import workstation
from dashboard.engine.errors import BadParameter, EngineError, NotFound
from dashboard.engine.probe import ScriptResult
from dashboard.interfaces import session_sockets
from dashboard.notation import names
from dashboard.notation.reference import InvalidReference, parse_reference
from dashboard.policy import containers as container_policy
from dashboard.policy import images as image_policy
from dashboard.policy import labels, ownership
from dashboard.policy import networks as policy_networks
from dashboard.policy.ownership import Kind
from labs import readiness
from labs.models import LabClass, LabSession
from labs.template import Service, substitute

log = logging.getLogger(__name__)
REMOVERS = 8  # removals at once: the engine tears down a network's rules in ~0.1 s
SUBNET_PREFIX = 28  # 14 addresses: a session's services, several times over
_launching: contextvars.ContextVar[LabSession | None] = contextvars.ContextVar(
    "lab_session_launching", default=None
)


def _latest_end(session: LabSession) -> datetime:
    """When the session ends at the latest, however often it is extended: a warm session may
    still be claimed at its ``expires_at``, and then runs its full time."""
    begins = session.expires_at if session.is_pooled else session.created_at
    return begins + timedelta(
        minutes=session.lab_class.minutes + session.lab_class.version.template.max_extend_minutes
    )


def maker(session: LabSession) -> User:
    """Who the session's objects are made and used as: its learner; for a warm session not
    claimed yet, the instructor who opened the class, making them for the team."""
    if session.learner_id is not None:
        return session.learner
    if session.lab_class.opened_by is None:
        raise EngineError(_("A class opened from the command line keeps no warm sessions."))
    return session.lab_class.opened_by


def session_labels(session: LabSession) -> dict[str, str]:
    latest = _latest_end(session)
    return {labels.LAB_SESSION: str(session.pk), labels.EXPIRES: str(int(latest.timestamp()))}


def labels_for(user_id: int | None, team_id: int | None, **_: Any) -> dict[str, str]:
    """Receiver of ``creation.extra_labels``: the lab labels of what a learner creates while one
    of their sessions in that team, on this engine, is active."""
    if launching := _launching.get():
        return session_labels(launching)
    if user_id is None or team_id is None:
        return {}
    # On every create through the gate: one plain query of ids, the session itself only when a
    # learner has one (most creates are no learner's).
    active = _active_session_id(user_id, team_id)
    if active is None:
        return {}
    return session_labels(LabSession.objects.select_related("lab_class__version").get(pk=active))


def _active_session_id(user_id: int, team_id: int) -> int | None:
    """The learner's active session in the team on this engine, if any. Plain SQL: it runs in
    every create through the gate, where the ORM's own cost was 1.2 ms of the gate's 2.75."""
    sessions = connection.ops.quote_name(LabSession._meta.db_table)
    classes = connection.ops.quote_name(LabClass._meta.db_table)
    states = ", ".join(["%s"] * len(LabSession.ACTIVE))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id FROM {sessions} s JOIN {classes} c ON c.id = s.lab_class_id "  # noqa: S608
            "WHERE s.learner_id = %s AND c.team_id = %s AND s.engine = %s "
            f"AND s.state IN ({states}) LIMIT 1",
            [user_id, team_id, engine.current_name(), *LabSession.ACTIVE],
        )
        found = cursor.fetchone()
    return found[0] if found else None


def values_for(session: LabSession) -> dict[str, str]:
    """The class's parameters, each learner's own where the lab gives one per learner, and
    ``${learner}`` (container-name safe). A warm session has no learner yet: a lab that uses
    either to make its objects keeps no warm pool (``pool.refusal``)."""
    lab_class = session.lab_class
    values = {
        parameter.name: parameter.value_for(
            lab_class.pk, session.learner_id, lab_class.parameters.get(parameter.name, "")
        )
        for parameter in lab_class.template.parameters
    }
    name = session.learner.username if session.learner_id is not None else ""
    learner = "".join(c if c.isalnum() or c in "_.-" else "-" for c in name)
    return {**lab_class.parameters, **values, "learner": learner.strip("-.") or "learner"}


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
            _ensure_image(maker(session), image)
        network = ""
        if template.services:
            _progress(session, _("Making the session's network…"))
            network = _make_network(session)
        for service in template.services:
            _progress(session, _("Starting %(service)s…") % {"service": service.name})
            parameters = _create_parameters(session, service, values, network)
            socket_directory = None
            if service.workstation:
                parameters["image"] = workstation.ensure_image()
                socket_directory = open_socket(session)
            container_id = container_policy.create_container(
                maker(session),
                session.lab_class.team_id,
                parameters,
                socket_directory=socket_directory,
                for_team=session.is_pooled,
            )
            engine_containers.container_action(container_id, "start")
        if template.setup_script:
            _progress(session, _("Running the setup script…"))
            _run_setup(session, values)
    finally:
        _launching.reset(token)


def open_socket(session: LabSession) -> Path:
    """The directory of the session's own Docker socket, to mount in its workstation; served
    as its learner's (a warm session's is served once claimed: ``pool.claim``)."""
    if session.is_pooled:
        return session_sockets.make_directory(session.pk)
    return session_sockets.open_for(
        session.pk, session.learner_id, session.lab_class.team_id, _latest_end(session)
    )


def _make_network(session: LabSession) -> str:
    """The session's bridge network, on the first free /28 of the lab pool from a place of
    its own (another network may hold a subnet the engine alone knows: then the next)."""
    name = f"dockboard-{engine_prefix(session)}"
    pool = ipaddress.ip_network(settings.DOCKBOARD_LAB_SUBNETS)
    count = 2 ** (SUBNET_PREFIX - pool.prefixlen)
    taken = {
        config.get("Subnet")
        for network in engine_networks.list_networks([labels.LAB_SESSION])
        for config in (network.get("IPAM") or {}).get("Config") or []
    }
    for step in range(count):
        index = (session.pk + step) % count
        subnet = str(
            ipaddress.ip_network(
                (int(pool.network_address) + index * 2 ** (32 - SUBNET_PREFIX), SUBNET_PREFIX)
            )
        )
        if subnet in taken:
            continue
        try:
            policy_networks.create_network(
                maker(session), session.lab_class.team, name, subnet, for_team=session.is_pooled
            )
        except EngineError as exc:
            if "overlap" not in exc.message.lower():
                raise
        else:
            return name
    raise EngineError(
        _("No free subnet is left in %(pool)s for lab networks.") % {"pool": str(pool)}
    )


def engine_prefix(session: LabSession) -> str:
    """What starts the names of the session's objects. Names are shared by every installation
    on the engine, and each counts its sessions from 1: the installation's id is in them."""
    return f"lab{session.pk}-{ownership.installation_id()[:8]}"


def workspace_volume(lab_class: LabClass, learner_id: int) -> str:
    """The learner's workspace volume for the class's lab and team (``labs.workspace``); the
    installation's id in it, as names are shared by every installation on the engine."""
    return (
        f"dockboard-workspace-{ownership.installation_id()[:8]}-t{lab_class.team_id}"
        f"-{lab_class.version.lab.slug}-u{learner_id}"
    )


def container_name(session: LabSession, service: str) -> str:
    return f"{engine_prefix(session)}-{service}"


def service_container(session: LabSession, service: str) -> dict[str, Any]:
    """The service's container, as the learner may reach it (NotFound when gone): by its name,
    or by the name the release before gave it (``lab<pk>-<service>``), for a session it
    started."""
    try:
        return containers_access.access_container(maker(session), container_name(session, service))
    except NotFound:
        return containers_access.access_container(maker(session), f"lab{session.pk}-{service}")


def _create_parameters(
    session: LabSession, service: Service, values: dict[str, str], network: str
) -> dict[str, Any]:
    binds = []
    if service.workspace:
        volume = workspace_volume(session.lab_class, session.learner_id)
        binds.append(f"{volume}:{service.workspace}")
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
            "MemoryReservation": service.memory_request,
            "CpuShares": int(service.cpus_request * 1024),
            "Binds": binds,
        },
    }


def pull_everywhere(lab_class: LabClass) -> None:
    """Each image the class uses (but those named after a learner), pulled once on each engine
    its sessions may go to, as the instructor who opened it, before its learners come."""
    if lab_class.opened_by is None:
        return  # opened from the command line: each engine's first session pulls
    template = lab_class.template
    for name in readiness.engines_used(template, lab_class.team):
        with engine.on(name):
            for image in sorted(template.shared_images(lab_class.parameters)):
                _ensure_image(lab_class.opened_by, image)


def _ensure_image(user: User, image: str) -> None:
    try:
        reference = parse_reference(image)
    except InvalidReference as exc:
        raise BadParameter(
            _("The lab's image %(image)s is not a valid reference: %(reason)s")
            % {"image": image, "reason": exc.message}
        ) from None
    try:
        engine_images.inspect_image(image)
        return
    except NotFound:
        pass
    checked = image_policy.check_pull(user, reference)
    response, messages = engine_images.pull_stream(checked)
    with contextlib.closing(response):
        for message in messages:
            if error := message.get("error"):
                raise EngineError(
                    _("Pull of %(image)s failed: %(error)s") % {"image": image, "error": error}
                )


def run_script(session: LabSession, container: dict, script: str, timeout: int) -> ScriptResult:
    """``script`` run by ``sh -c`` in the container, as the learner (through the gate): the
    setup script, and the checks' scripts."""
    checked = container_policy.check_exec(maker(session), container, ["sh", "-c", script], tty=True)
    return engine_probe.run_script(checked, timeout)


def _run_setup(session: LabSession, values: dict[str, str]) -> None:
    template = session.lab_class.template
    container = service_container(session, template.setup_service)
    result = run_script(session, container, substitute(template.setup_script, values), 60)
    if result.exit_code != 0:
        raise EngineError(
            _("The setup script failed: %(output)s") % {"output": result.output[-500:]}
        )


def session_containers(session: LabSession) -> list[dict[str, Any]]:
    found = engine_containers.list_containers([f"{labels.LAB_SESSION}={session.pk}"])
    return [
        item
        for item, session_id in _sessions_of(Kind.CONTAINER, found)
        if session_id == str(session.pk)
    ]


def lab_objects() -> list[tuple[str, dict[str, Any], str]]:
    """This installation's lab objects on the current engine: (kind, the engine's summary, its
    session's id), containers first."""
    return [
        (kind, item, session_id)
        for kind, found in (
            (Kind.CONTAINER, engine_containers.list_containers([labels.LAB_SESSION])),
            (Kind.NETWORK, engine_networks.list_networks([labels.LAB_SESSION])),
        )
        for item, session_id in _sessions_of(kind, found)
    ]


def _sessions_of(kind: str, found: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """The objects of ``found`` that are this installation's, each with its session's id: the
    record's, or for an object whose record is lost, the label's if it carries our id. A
    container recorded before records held sessions (the release before carried only its quota
    ledger over, and wrote no installation id) goes by its label."""
    known = ownership.owners(kind, (item["Id"] for item in found))
    ours = []
    for item in found:
        item_labels = item.get("Labels") or {}
        if (owner := known.get(item["Id"])) is not None:
            from_before = not owner.lab_session and labels.INSTALLATION not in item_labels
            session_id = (
                item_labels.get(labels.LAB_SESSION, "") if from_before else owner.lab_session
            )
        elif item_labels.get(labels.INSTALLATION) == ownership.installation_id():
            session_id = item_labels.get(labels.LAB_SESSION, "")
        else:
            continue
        if session_id.isdecimal():
            ours.append((item, session_id))
    return ours


def remove_objects(session_ids: list[str]) -> int:
    """Remove the containers, then the networks, of these sessions on the current engine, a few
    at a time; how many containers."""
    found = [
        (kind, item["Id"]) for kind, item, session_id in lab_objects() if session_id in session_ids
    ]
    containers = [object_id for kind, object_id in found if kind == Kind.CONTAINER]
    _in_parallel(
        lambda ref: engine_containers.remove_container(ref, force=True, volumes=True), containers
    )
    networks = [object_id for kind, object_id in found if kind == Kind.NETWORK]
    _in_parallel(engine_networks.remove_network, networks)
    return len(containers)


def _in_parallel(call: Callable[[str], None], refs: list[str]) -> None:
    """``call`` on each ref from REMOVERS threads, on this engine; gone already is done."""

    def one(ref: str) -> None:
        try:
            call(ref)
        except NotFound:
            pass
        finally:
            db.connections.close_all()  # this thread's, if the engine's address was read

    with concurrent.futures.ThreadPoolExecutor(REMOVERS) as pool:
        futures = [pool.submit(contextvars.copy_context().run, one, ref) for ref in refs]
        for future in futures:
            future.result()


def stop_all(session: LabSession) -> None:
    for summary in session_containers(session):
        if summary.get("State") == "running":
            engine_containers.container_action(summary["Id"], "stop")


def start_all(session: LabSession) -> None:
    for summary in session_containers(session):
        if summary.get("State") != "running" and names.container_name(summary).startswith(
            f"lab{session.pk}-"
        ):
            engine_containers.container_action(summary["Id"], "start")


def on_engine(session: LabSession) -> contextlib.AbstractContextManager[None]:
    """The engine that holds the session's containers."""
    return engine.on(session.engine)


def finish(session: LabSession, state: str, error: str = "", *, unclaimed: bool = False) -> bool:
    """End the session with ``state`` and remove its objects; its record and checks stay.
    Ended first: should the engine fail now, the reaper removes them as orphans later.
    ``unclaimed``: only a warm session no learner has claimed meanwhile. Whether it ended."""
    still = {"learner__isnull": True, "state__in": LabSession.ACTIVE} if unclaimed else {}
    ended = LabSession.objects.filter(pk=session.pk, **still).update(
        state=state, ended_at=timezone.now(), progress="", **({"error": error} if error else {})
    )
    if not ended:
        return False
    session_sockets.close_for(session.pk)
    with on_engine(session):
        remove_objects([str(session.pk)])
    return True


def container_used(lab_session: str, **_: Any) -> None:
    """Receiver of ``activity.container_used``: terminal input is activity in its session."""
    if lab_session.isdecimal():
        LabSession.objects.filter(pk=int(lab_session)).update(last_activity_at=timezone.now())
