"""Prune as Dockboard does it: the objects the preview showed, removed one by one, each through
its own checks again (a volume mounted since the preview stays)."""

from collections.abc import Callable

from dashboard.engine.errors import Conflict, Denied, NotFound


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
