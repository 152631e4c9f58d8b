"""What the buttons do to a container, each with the `docker` command line it stands for, each
through the gatekeeper (the user must be allowed to change the container) and into the audit log."""

import contextlib
import shlex
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from containers.validation import validate_container_name
from dashboard.access.containers import access_container, visible_containers_with_rights
from dashboard.access.roles import Rights, User
from dashboard.actions import audit
from dashboard.actions.done import done
from dashboard.engine import containers as engine_containers
from dashboard.engine.errors import EngineError
from dashboard.notation.names import container_name
from dashboard.policy.labels import has_label
from dashboard.policy.ownership import Kind, made_elsewhere

LIFECYCLE = {
    "start": gettext_lazy("Started %(name)s"),
    "stop": gettext_lazy("Stopped %(name)s"),
    "restart": gettext_lazy("Restarted %(name)s"),
    "kill": gettext_lazy("Killed %(name)s"),
    "pause": gettext_lazy("Paused %(name)s"),
    "unpause": gettext_lazy("Unpaused %(name)s"),
}
STOPPED = {"created", "exited", "dead"}


def changeable(user: User, ref: str, action: str) -> dict[str, Any]:
    """The container, if the user may change it; a refusal is written to the audit log."""
    with audit.denials_recorded(user, action, target_kind="container", target_name=ref):
        return access_container(user, ref, change=True)


@contextlib.contextmanager
def audited(user: User, action: str, container: dict[str, Any], command: str) -> Iterator[None]:
    """Record the action's outcome on the container: ok, or the engine's error (raised on)."""
    with audit.audited(
        user,
        action,
        command,
        target_kind="container",
        target_id=container["Id"],
        target_name=container_name(container),
        team_id=audit.team_of(Kind.CONTAINER, container["Id"]),
    ):
        yield


def run_lifecycle(user: User, ref: str, action: str) -> str:
    """Start, stop, restart, kill, pause or unpause; the message to show, with the command."""
    container = changeable(user, ref, action)
    name = container_name(container)
    command = shlex.join(["docker", action, name])
    with audited(user, action, container, command):
        engine_containers.container_action(container["Id"], action)
    return done(LIFECYCLE[action] % {"name": name}, command)


def remove(user: User, ref: str, *, force: bool, volumes: bool) -> str:
    container = changeable(user, ref, "remove")
    command = _removed(user, container, force=force, volumes=volumes)
    return done(_("Removed %(name)s") % {"name": container_name(container)}, command)


def _removed(user: User, container: dict[str, Any], *, force: bool, volumes: bool) -> str:
    """`docker rm`, audited; its command line."""
    name = container_name(container)
    command = shlex.join(["docker", "rm", *["-f"] * force, *["-v"] * volumes, name])
    with audited(user, "remove", container, command):
        engine_containers.remove_container(container["Id"], force=force, volumes=volumes)
    return command


def rename(user: User, ref: str, new_name: str) -> str:
    new_name = validate_container_name(new_name)
    container = changeable(user, ref, "rename")
    old = container_name(container)
    command = shlex.join(["docker", "rename", old, new_name])
    with audited(user, "rename", container, command):
        engine_containers.rename_container(container["Id"], new_name)
    return done(_("Renamed %(old)s to %(new)s") % {"old": old, "new": new_name}, command)


type Action = Callable[[User, str, Mapping[str, str]], str]


def _lifecycle(action: str) -> Action:
    return lambda user, ref, data: run_lifecycle(user, ref, action)


ACTIONS: dict[str, Action] = {
    **{action: _lifecycle(action) for action in LIFECYCLE},
    "remove": lambda user, ref, data: remove(
        user, ref, force="force" in data, volumes="volumes" in data
    ),
    "rename": lambda user, ref, data: rename(user, ref, data.get("name", "")),
}


def stopped_containers(summaries: list[dict], label: str = "") -> list[dict]:
    """What `docker container prune` would remove: every container not running or paused."""
    return [s for s in summaries if s.get("State") in STOPPED and has_label(s, label)]


def prunable(user: User, label: str = "") -> list[dict]:
    """The stopped containers the user may remove (with ``label``): an administrator's, all but
    another installation's; anyone else's, those their ownership records make theirs (an
    instructor's: the team's)."""
    seen, rights = visible_containers_with_rights(user)
    mine = [c for c in seen if rights[c["Id"]] is Rights.WRITE and not made_elsewhere(c)]
    return stopped_containers(mine, label)


def prune(user: User, label: str = "") -> tuple[list[str], int, list[str]]:
    """Removed ids, bytes reclaimed, and the commands: the prunable containers, removed one by
    one (the engine's prune would also take another installation's, and for all but
    administrators, containers whose labels only claim to be theirs)."""
    ids = [summary["Id"] for summary in prunable(user, label)]
    sizes = {
        s["Id"]: s.get("SizeRw") or 0
        for s in engine_containers.list_containers_by_id(ids, size=True)
    }
    deleted, commands = [], []
    for container_id in ids:
        try:
            container = changeable(user, container_id, "remove")
            commands.append(_removed(user, container, force=False, volumes=False))
        except EngineError:  # gone meanwhile, or started again: kept, as the engine's prune would
            continue
        deleted.append(container_id)
    return deleted, sum(sizes.get(i, 0) for i in deleted), commands
