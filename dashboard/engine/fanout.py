"""Every engine at once: their health for the engines page, and a call made on each (the
containers of every engine, a lab's placement), each engine in a thread of its own and with a
timeout of its own."""

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.db import connections
from django.utils.translation import gettext as _

from dashboard.engine.client import new_client
from dashboard.engine.current import on
from dashboard.engine.registry import EngineAddress

HEALTH_TIMEOUT = 3.0


@dataclass(frozen=True)
class Health:
    engine: EngineAddress
    version: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _health(engine: EngineAddress) -> Health:
    try:
        api = new_client(engine, version="1.41", timeout=HEALTH_TIMEOUT)
        try:
            return Health(engine, version=api.version()["Version"])
        finally:
            api.close()
    except Exception as exc:  # any failure is this engine's health, never the page's
        return Health(engine, error=str(exc).splitlines()[0][:300] if str(exc) else repr(exc))


def health(engines: list[EngineAddress]) -> list[Health]:
    """Ping every engine at once, each with its own timeout: the page takes about as long as
    the slowest engine, never their sum."""
    with ThreadPoolExecutor(max_workers=max(len(engines), 1)) as pool:
        return list(pool.map(_health, engines))


@dataclass(frozen=True)
class Answer[T]:
    engine: str
    value: T | None = None
    error: str = ""


def on_each[T](names: list[str], call: Callable[[], T], timeout: float) -> list[Answer[T]]:
    """``call`` on every engine at once, each in its own thread and with the engine made current;
    an engine that fails or has not answered within ``timeout`` seconds gets its error instead,
    so the whole takes about as long as the slowest engine that answers."""

    def one(name: str) -> T:
        try:
            with on(name):
                return call()
        finally:
            connections.close_all()  # this thread's own database connection

    pool = ThreadPoolExecutor(max_workers=max(len(names), 1))
    futures = {name: pool.submit(contextvars.copy_context().run, one, name) for name in names}
    wait(futures.values(), timeout=timeout)
    answers = []
    for name, future in futures.items():
        if not future.done():
            answers.append(
                Answer(
                    name,
                    error=_("did not answer within %(seconds)s s") % {"seconds": f"{timeout:g}"},
                )
            )
        elif isinstance(error := future.exception(), Exception):
            answers.append(Answer(name, error=getattr(error, "message", str(error))))
        else:
            answers.append(Answer(name, future.result()))
    pool.shutdown(wait=False, cancel_futures=True)
    return answers
