"""What the buttons do to a container, each with the `docker` command line it stands for, each
through the gatekeeper (the user must be allowed to change the container) and into the audit log."""

import contextlib
import shlex
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from containers.validation import validate_container_name
from dashboard import audit, engine, labels
from dashboard.access import access_container
from dashboard.grants import Role, User, grants_for
from dashboard.labels import has_label, label_filter_args

LIFECYCLE = {
    "start": gettext_lazy("Started %(name)s"),
    "stop": gettext_lazy("Stopped %(name)s"),
    "restart": gettext_lazy("Restarted %(name)s"),
    "kill": gettext_lazy("Killed %(name)s"),
    "pause": gettext_lazy("Paused %(name)s"),
    "unpause": gettext_lazy("Unpaused %(name)s"),
}
STOPPED = {"created", "exited", "dead"}


def display_name(container: dict) -> str:
    return container["Name"].lstrip("/")


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
        target_name=display_name(container),
        team_id=audit.team_of(container["Config"].get("Labels")),
    ):
        yield


def run_lifecycle(user: User, ref: str, action: str) -> str:
    """Start, stop, restart, kill, pause or unpause; the message to show, with the command."""
    container = changeable(user, ref, action)
    name = display_name(container)
    command = shlex.join(["docker", action, name])
    with audited(user, action, container, command):
        engine.container_action(container["Id"], action)
    return LIFECYCLE[action] % {"name": name} + f" — {command}"


def remove(user: User, ref: str, *, force: bool, volumes: bool) -> str:
    container = changeable(user, ref, "remove")
    name = display_name(container)
    command = shlex.join(["docker", "rm", *["-f"] * force, *["-v"] * volumes, name])
    with audited(user, "remove", container, command):
        engine.remove_container(container["Id"], force=force, volumes=volumes)
    return _("Removed %(name)s") % {"name": name} + f" — {command}"


def rename(user: User, ref: str, new_name: str) -> str:
    new_name = validate_container_name(new_name)
    container = changeable(user, ref, "rename")
    old = display_name(container)
    command = shlex.join(["docker", "rename", old, new_name])
    with audited(user, "rename", container, command):
        engine.rename_container(container["Id"], new_name)
    return _("Renamed %(old)s to %(new)s") % {"old": old, "new": new_name} + f" — {command}"


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


def prune_scopes(user: User) -> list[list[str]]:
    """Label filters, one list a prune call, that cover exactly what the user may remove:
    everything (administrators), their teams' containers (instructors), their own (members)."""
    grants = grants_for(user)
    if grants.admin:
        return [[]]
    scopes = [[f"{labels.TEAM}={t}"] for t in grants.teams_with(Role.INSTRUCTOR)]
    mine = f"{labels.OWNER}={grants.user_id}"
    return scopes + [[f"{labels.TEAM}={t}", mine] for t in grants.teams_with(Role.MEMBER)]


def prune(user: User, label: str = "") -> tuple[list[str], int, list[str]]:
    """Removed ids, bytes reclaimed, and the commands (one a scope)."""
    deleted, reclaimed, commands = [], 0, []
    for scope in prune_scopes(user):
        filters = scope + ([label] if label else [])
        command = ["docker", "container", "prune", "-f"]
        for selector in filters:
            command += label_filter_args(selector)
        result = engine.prune_stopped_containers(filters)
        removed = result.get("ContainersDeleted") or []
        audit.record(
            user,
            "prune",
            target_kind="container",
            target_name=f"{len(removed)}",
            command=shlex.join(command),
        )
        deleted += removed
        reclaimed += result.get("SpaceReclaimed", 0)
        commands.append(shlex.join(command))
    return deleted, reclaimed, commands
