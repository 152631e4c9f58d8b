"""Wake idle task workers the moment a task is queued.

django-tasks-db workers find tasks by polling, so a pull would wait up to one poll interval
before it starts. Here a queued task also nudges the workers: on PostgreSQL with NOTIFY (which
reaches workers on any host), on SQLite with a datagram to each worker's socket in a folder
beside the database file (SQLite workers share its host). Polling stays as the fallback: a lost
nudge costs one interval, never a task.
"""

import contextlib
import logging
import os
import secrets
import select
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
from django.db import DatabaseError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

CHANNEL = "dockboard_tasks"
RELISTEN_SECONDS = 1.0
log = logging.getLogger(__name__)


def nudge_on_commit(**_: object) -> None:
    """Receiver of ``task_enqueued``: the nudge leaves once the task's row is committed."""
    transaction.on_commit(nudge)


def nudge() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")
    elif folder := socket_folder():
        _send_datagrams(folder)


@contextlib.contextmanager
def listen() -> Iterator[Callable[[float], None]]:
    """``wait(timeout)``: returns when nudged, after ``timeout`` seconds, or sooner when the
    worker should look for tasks again."""
    if connection.vendor == "postgresql":
        with _listen_postgresql() as wait:
            yield wait
    elif folder := socket_folder():
        with _listen_socket(folder) as wait:
            yield wait
    else:
        yield time.sleep


@contextlib.contextmanager
def _listen_postgresql() -> Iterator[Callable[[float], None]]:
    # Listening starts before the worker's first look, and again before its next look after a
    # lost connection: a task queued in between is found by that look, never missed.
    listener = _postgresql_listener()

    def wait(timeout: float) -> None:
        nonlocal listener
        if listener is None:
            time.sleep(min(timeout, RELISTEN_SECONDS))
            listener = _postgresql_listener()
            return
        try:
            for _ in listener.connection.notifies(timeout=timeout, stop_after=1):
                pass
        except (DatabaseError, psycopg.Error) as exc:  # the database restarted or dropped us
            log.warning("task worker: lost its wake-up connection (%s)", exc)
            _close_quietly(listener)
            listener = None

    try:
        yield wait
    finally:
        if listener is not None:
            _close_quietly(listener)


def _postgresql_listener() -> BaseDatabaseWrapper | None:
    """A connection of its own, outside the worker's transactions, listening for nudges."""
    listener = connections.create_connection("default")
    try:
        listener.ensure_connection()
        listener.connection.execute(f"LISTEN {CHANNEL}")
    except (DatabaseError, psycopg.Error) as exc:
        log.warning("task worker: cannot listen for wake-ups (%s); polling", exc)
        _close_quietly(listener)
        return None
    return listener


def _close_quietly(listener: BaseDatabaseWrapper) -> None:
    with contextlib.suppress(DatabaseError, psycopg.Error):
        listener.close()


def socket_folder() -> Path | None:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or name.startswith("file:") or name == ":memory:":
        return None
    return Path(f"{name}.wake")


@contextlib.contextmanager
def _listen_socket(folder: Path) -> Iterator[Callable[[float], None]]:
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{os.getpid()}.{secrets.token_hex(4)}"  # pids repeat across containers
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as receiver:
        try:
            receiver.bind(str(path))
        except OSError as exc:  # e.g. a data folder path too long for a socket
            log.warning("task worker: no wake-up socket (%s); polling only", exc)
            yield time.sleep
            return
        receiver.setblocking(False)

        def wait(timeout: float) -> None:
            if select.select([receiver], [], [], timeout)[0]:
                with contextlib.suppress(BlockingIOError):
                    while receiver.recv(16):  # several nudges wake the worker once
                        pass

        try:
            yield wait
        finally:
            path.unlink(missing_ok=True)


def _send_datagrams(folder: Path) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        for path in folder.glob("[0-9]*"):
            try:
                sender.sendto(b"!", str(path))
            except ConnectionRefusedError:  # a worker that was killed left its socket behind
                path.unlink(missing_ok=True)
            except OSError:  # already nudged, just stopped, …: it polls anyway
                pass
