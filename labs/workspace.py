"""A learner's workspace: a volume of theirs that a lab may mount in its sessions
(``workspace = "/work"`` on a service), kept across sessions, resets and expiries of that lab
in that team, and downloaded as a tar.

It is made by the gate, as the learner's own volume, when their first session starts (the
engine then records it as theirs); a volume of that name that the record does not give them (one
made with the CLI, say) is refused by the gate, so nobody can plant a workspace. The reaper
removes a session's containers, never a named volume. The volume lives on one engine: the
learner's later sessions of the lab go to that engine.
"""

import contextlib
from collections.abc import Iterator

from django.utils.translation import gettext as _

from dashboard.engine import containers as engine_containers
from dashboard.engine import current as engine
from dashboard.engine import files as engine_files
from dashboard.engine import workstation
from dashboard.engine.errors import NotFound
from dashboard.interfaces import session_sockets
from dashboard.policy import containers as container_policy
from dashboard.policy import ownership
from dashboard.policy.ownership import Kind
from labs import runtime
from labs.models import LabClass, LabSession
from labs.template import Service, substitute


def engines_holding(lab_class: LabClass, learner_id: int) -> list[str]:
    """Where the learner's workspace for the class's lab already is (by its record)."""
    name = runtime.workspace_volume(lab_class, learner_id)
    return ownership.engines_holding(Kind.VOLUME, name, learner_id)


def archive(session: LabSession) -> Iterator[bytes]:
    """A tar of the workspace: read through the session's container that mounts it, or, once
    that is gone, through a container created (not started) for the reading and removed after.
    ``NotFound`` when the learner has no workspace yet."""
    service = session.lab_class.template.workspace_service
    held = engines_holding(session.lab_class, session.learner_id)
    if service is None or not held:
        raise NotFound(_("You have no workspace in this lab yet: your first session makes it."))
    with engine.on(held[0]):
        with contextlib.suppress(NotFound):
            container = runtime.service_container(session, service.name)
            return engine_files.archive_chunks(container["Id"], service.workspace)
        reader = _reading_container(session, service)
        try:
            chunks = engine_files.archive_chunks(reader, service.workspace)
        except Exception:
            engine_containers.remove_container(reader, force=True, volumes=False)
            raise
    return _then_removed(chunks, held[0], reader)


def _reading_container(session: LabSession, service: Service) -> str:
    """A container of the service's image with the workspace mounted, created (never started)
    through the gate as the learner."""
    if service.workstation:
        image = workstation.ensure_image()
        sockets = session_sockets.make_directory(session.pk)  # a workstation's one mount
    else:
        image, sockets = substitute(service.image, runtime.values_for(session)), None
    volume = runtime.workspace_volume(session.lab_class, session.learner_id)
    parameters = {
        "image": image,
        "command": ["true"],
        "labels": {},
        "host_config": {"Binds": [f"{volume}:{service.workspace}"]},
    }
    return container_policy.create_container(
        session.learner, session.lab_class.team_id, parameters, socket_directory=sockets
    )


def _then_removed(chunks: Iterator[bytes], engine_name: str, reader: str) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        with engine.on(engine_name):
            engine_containers.remove_container(reader, force=True, volumes=False)
