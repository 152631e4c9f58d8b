"""Engine objects made in tests as the policy gate would have admitted them: with Dockboard's
labels, and entered in its ownership record, where rights come from (a label alone gives none)."""

import asyncio
import concurrent.futures
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import connections

from dashboard.engine import current as engine
from dashboard.models import Team
from dashboard.policy import ownership


def labels_for(owner: User, team: Team | None) -> dict[str, str]:
    """The labels the gate writes on what ``owner`` creates in ``team``."""
    return _synchronously(lambda: ownership.creation_labels(owner.pk, team.pk if team else None))


def admitted(
    kind: str,
    object_id: str,
    owner: User,
    team: Team | None,
    *,
    on: str = "local",
    lab_session: str = "",
) -> str:
    """Record the object as ``owner``'s in ``team`` on engine ``on``; its id."""

    def write() -> None:
        with engine.on(on):
            ownership.record(
                kind, object_id, owner.pk, team.pk if team else None, lab_session=lab_session
            )

    _synchronously(write)
    return object_id


def _synchronously[T](call: Callable[[], T]) -> T:
    """``call``, which uses the ORM; from an async test, in a thread of its own (as
    database_sync_to_async does), whose connection is closed afterwards."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()

    def closing() -> T:
        try:
            return call()
        finally:
            connections.close_all()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(closing).result()
