"""Prune as Dockboard does it: the objects the preview showed, removed one by one, each through
its own checks again (a volume mounted since the preview stays)."""

from collections.abc import Callable
from typing import Any

from dashboard.access.roles import Rights
from dashboard.engine.errors import Conflict, Denied, NotFound


def unused(
    found: tuple[list[dict[str, Any]], dict[str, Rights]],
    key: str,
    names: Callable[[dict[str, Any]], set[str]],
    in_use: set[str],
) -> list[dict[str, Any]]:
    """What `docker volume/network prune` would remove for the user: of the objects they see
    (with their rights, by ``key``), those they may change whose ``names`` no container uses."""
    objects, rights = found
    return [o for o in objects if rights[o[key]] is Rights.WRITE and not names(o) & in_use]


def remove_each(remove: Callable[[str], str], refs: list[str]) -> tuple[list[str], list[str]]:
    """The refs removed, and the messages of those kept."""
    removed, kept = [], []
    for ref in refs:
        try:
            remove(ref)
        except (Conflict, Denied, NotFound) as error:
            kept.append(error.message)
        else:
            removed.append(ref)
    return removed, kept
