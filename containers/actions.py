"""What the buttons do to a container, each with the `docker` command line it stands for."""

import shlex

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from containers.validation import validate_container_name
from dashboard import engine
from dashboard.access import User, access_container
from dashboard.engine import BadParameter
from dashboard.labels import has_label, label_filter_args

LIFECYCLE = {
    "start": gettext_lazy("Started"),
    "stop": gettext_lazy("Stopped"),
    "restart": gettext_lazy("Restarted"),
    "kill": gettext_lazy("Killed"),
    "pause": gettext_lazy("Paused"),
    "unpause": gettext_lazy("Unpaused"),
}


def display_name(container: dict) -> str:
    return container["Name"].lstrip("/")


def run_lifecycle(user: User, ref: str, action: str) -> str:
    """Start, stop, restart, kill, pause or unpause; the message to show, with the command."""
    if action not in LIFECYCLE:
        raise BadParameter(_("Unknown action: %(action)s") % {"action": action})
    container = access_container(user, ref)
    engine.container_action(container["Id"], action)
    name = display_name(container)
    return f"{LIFECYCLE[action]} {name} — {shlex.join(['docker', action, name])}"


def remove(user: User, ref: str, *, force: bool, volumes: bool) -> str:
    container = access_container(user, ref)
    engine.remove_container(container["Id"], force=force, volumes=volumes)
    flags = ["-f"] * force + ["-v"] * volumes
    name = display_name(container)
    return (
        _("Removed %(name)s") % {"name": name} + f" — {shlex.join(['docker', 'rm', *flags, name])}"
    )


STOPPED = {"created", "exited", "dead"}


def stopped_containers(summaries: list[dict], label: str = "") -> list[dict]:
    """What `docker container prune` would remove: every container not running or paused."""
    return [s for s in summaries if s.get("State") in STOPPED and has_label(s, label)]


def prune(label: str = "") -> tuple[list[str], int, str]:
    """Removed ids, bytes reclaimed, and the command."""
    result = engine.prune_stopped_containers(label)
    command = ["docker", "container", "prune", "-f", *label_filter_args(label)]
    deleted = result.get("ContainersDeleted") or []
    return deleted, result.get("SpaceReclaimed", 0), shlex.join(command)


def rename(user: User, ref: str, new_name: str) -> str:
    new_name = validate_container_name(new_name)
    container = access_container(user, ref)
    engine.rename_container(container["Id"], new_name)
    old = display_name(container)
    return _("Renamed %(old)s to %(new)s") % {"old": old, "new": new_name} + (
        f" — {shlex.join(['docker', 'rename', old, new_name])}"
    )
