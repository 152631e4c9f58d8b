"""What the stats app offers the rest of Dockboard, which must not import it: the collector's
recent readings of some containers, for sparklines beside them (a class roster's learners).
The stats app provides the lookup when it is ready (``provide``)."""

from collections.abc import Callable

# (time, CPU percent, memory bytes) readings of each container, oldest first.
type Points = list[tuple[int, float, int]]
type Recent = Callable[[str, set[str], int], dict[str, Points]]
_provided: list[Recent] = []


def provide(recent: Recent) -> None:
    _provided[:] = [recent]


def recent(engine: str, container_ids: set[str], seconds: int) -> dict[str, Points]:
    """The readings of the last ``seconds`` of each of ``container_ids`` on ``engine`` that has
    some; none when no collector keeps them."""
    return _provided[0](engine, container_ids, seconds) if _provided and container_ids else {}
