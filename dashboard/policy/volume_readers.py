"""A volume's files are read through a container that mounts it (the engine has no other way):
one the gate makes for the reading, of Dockboard's empty reader image, with the volume mounted
read-only and no network, never started, and removed once read. Only a user who may see the
volume gets one; one left behind by a process that died is removed an hour later."""

import contextlib
import time
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from dashboard.access.roles import Rights, User, grants_for
from dashboard.engine import containers as engine_containers
from dashboard.engine import current as engine
from dashboard.engine import reader_image
from dashboard.engine.errors import NotFound
from dashboard.policy import labels, ownership
from dashboard.policy.seal import SEAL
from dashboard.policy.sealed import CheckedCreate

READER = "dockboard.volume-reader"  # its label: the name of the volume it reads
STALE_SECONDS = 3600


def reading_container(user: User, volume: dict[str, Any]) -> str:
    """The id of a new reader of ``volume``, which mounts it at ``reader_image.MOUNT_POINT``."""
    grants = grants_for(user)
    owner = ownership.owner_of_found(ownership.Kind.VOLUME, volume)
    if grants.rights(owner) is Rights.NONE:
        raise NotFound(_("No such volume: %(ref)s") % {"ref": volume["Name"]})
    _remove_stale()
    parameters = {
        "image": reader_image.ensure_image(),
        "command": ["none"],  # never run: the image has no program
        "labels": {labels.INSTALLATION: ownership.installation_id(), READER: volume["Name"]},
        "network_disabled": True,
        "host_config": {
            "Binds": [f"{volume['Name']}:{reader_image.MOUNT_POINT}:ro"],
            "NetworkMode": "none",
        },
    }
    checked = CheckedCreate(parameters, owner_id=grants.user_id, team_id=None, seal=SEAL)
    return engine_containers.create_container(checked)


def remover(reader: str) -> Callable[[], None]:
    """What removes the reader, on this engine, whenever it is called (after a download)."""
    engine_name = engine.current_name()

    def remove() -> None:
        with engine.on(engine_name), contextlib.suppress(NotFound):
            engine_containers.remove_container(reader, force=True, volumes=False)

    return remove


def _remove_stale() -> None:
    mine = [READER, f"{labels.INSTALLATION}={ownership.installation_id()}"]
    for found in engine_containers.list_containers(mine):
        if found["Created"] < time.time() - STALE_SECONDS:
            remover(found["Id"])()
