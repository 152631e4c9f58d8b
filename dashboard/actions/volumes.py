"""Create, remove and prune volumes, each with the `docker volume` command line it stands for."""

import shlex
from typing import Any

from django.utils.translation import gettext as _

from dashboard.access.containers import visible_containers
from dashboard.access.roles import User
from dashboard.access.volumes import access_volume, visible_volumes_with_rights
from dashboard.actions import audit, removals
from dashboard.actions.done import done
from dashboard.actions.removals import remove_each
from dashboard.engine import containers as engine_containers
from dashboard.engine import volumes as engine_volumes
from dashboard.engine.errors import Conflict
from dashboard.models import Team
from dashboard.notation.names import container_name
from dashboard.policy import ownership
from dashboard.policy import volumes as policy_volumes
from dashboard.policy.ownership import Kind


def create_command(name: str, asked: dict[str, str], options: dict[str, str]) -> str:
    args = ["docker", "volume", "create"]
    for key, value in asked.items():
        args += ["--label", f"{key}={value}"]
    for key, value in options.items():
        args += ["--opt", f"{key}={value}"]
    return shlex.join([*args, name])


def create(
    user: User, team: Team | None, name: str, asked: dict[str, str], options: dict[str, str]
) -> str:
    command = create_command(name, asked, options)
    with audit.audited(
        user, "volume-create", command, target_kind="volume", target_name=name, team_id=_pk(team)
    ):
        created = policy_volumes.create_volume(user, team, name, asked, options)
    return done(_("Created volume %(name)s") % {"name": created}, command)


def remove(user: User, name: str) -> str:
    volume = _changeable(user, name, "volume-remove")
    command = shlex.join(["docker", "volume", "rm", name])
    with audit.audited(user, "volume-remove", command, **_target(volume)):
        try:
            engine_volumes.remove_volume(name)
        except Conflict as conflict:
            raise Conflict(in_use_message(user, name) or conflict.message) from conflict
    ownership.forget(Kind.VOLUME, name)  # a volume's name may be taken again, by anyone
    return done(_("Removed volume %(name)s") % {"name": name}, command)


def in_use_message(user: User, name: str) -> str:
    """Which containers hold the volume, named where the user may see them."""
    using = engine_volumes.containers_using_volume(name)
    if not using:
        return ""
    seen = {c["Id"] for c in visible_containers(user)}
    names = [container_name(c) for c in using if c["Id"] in seen]
    hidden = len(using) - len(names)
    if hidden:
        names.append(_("%(count)s container(s) you cannot see") % {"count": hidden})
    return _("Volume %(name)s is in use by %(containers)s: remove those containers first.") % {
        "name": name,
        "containers": ", ".join(names),
    }


def volumes_in_use() -> set[str]:
    """The names of the volumes any container on the engine mounts (one list call)."""
    return {
        mount["Name"]
        for container in engine_containers.list_containers()
        for mount in container.get("Mounts") or []
        if mount.get("Type") == "volume" and mount.get("Name")
    }


def unused(user: User) -> list[dict[str, Any]]:
    """What `docker volume prune` would remove for this user: the volumes they may remove that
    no container uses."""
    found = visible_volumes_with_rights(user)
    return removals.unused(found, "Name", lambda volume: {volume["Name"]}, volumes_in_use())


def prune(user: User, refs: list[str]) -> tuple[list[str], list[str]]:
    return remove_each(lambda ref: remove(user, ref), refs)


def _changeable(user: User, name: str, action: str) -> dict[str, Any]:
    with audit.denials_recorded(user, action, target_kind="volume", target_name=name):
        return access_volume(user, name, change=True)


def _target(volume: dict[str, Any]) -> dict[str, Any]:
    return {
        "target_kind": "volume",
        "target_name": volume["Name"],
        "team_id": audit.team_of(Kind.VOLUME, volume["Name"]),
    }


def _pk(team: Team | None) -> int | None:
    return team.pk if team else None
