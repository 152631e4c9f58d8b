"""The engine this request (or task, or websocket) works on: pages name it in their URL, and
every gateway call in the block of ``on(name)`` goes to it."""

import contextlib
import contextvars
from collections.abc import Iterator

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from dashboard.engine import registry
from dashboard.engine.errors import EngineUnreachable, NotFound
from dashboard.engine.registry import LOCAL, EngineAddress

# The engine this request (or task, or websocket) works on; pages name it in their URL.
_current: contextvars.ContextVar[str] = contextvars.ContextVar("dockboard_engine", default=LOCAL)


@contextlib.contextmanager
def on(name: str) -> Iterator[None]:
    """Make every gateway call in the block go to the engine named ``name``."""
    token = _current.set(name)
    try:
        yield
    finally:
        _current.reset(token)


def current_name() -> str:
    return _current.get()


def current() -> EngineAddress:
    name = _current.get()
    found = registry.local() if name == LOCAL else registry.find(name)
    if found is None:
        raise NotFound(_("No such engine: %(name)s") % {"name": name})
    return found


async def current_address() -> EngineAddress:
    """``current`` from async code: the local engine is the settings' (no thread needed), the
    others rows of the database."""
    if _current.get() == LOCAL:
        return registry.local()
    return await database_sync_to_async(current)()


def docker_host() -> str:
    return current().address


def unreachable(address: EngineAddress | None = None) -> EngineUnreachable:
    address = address or current()
    if address.name == LOCAL:
        message = _("The Docker Engine at %(host)s is unreachable. Is it running?")
    else:
        message = _("Engine %(name)s at %(host)s is unreachable. Is it running?")
    return EngineUnreachable(message % {"host": address.address, "name": address.name})
