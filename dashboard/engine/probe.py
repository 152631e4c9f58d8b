"""One-shot looks into a container for checks: a script run to its end, and past events."""

import contextlib
import time
from dataclasses import dataclass
from datetime import datetime

from dashboard.engine import containers as engine_containers
from dashboard.engine.client import client, engine_call
from dashboard.policy.sealed import CheckedExec

OUTPUT_LIMIT = 64 * 1024
READ_SIZE = 16 * 1024


@dataclass(frozen=True)
class ScriptResult:
    exit_code: int | None  # None: it did not end in time
    output: str
    seconds: float


@engine_call
def container_had_event(ref: str, action: str, since: datetime) -> bool:
    """Whether the container's engine events since ``since`` include ``action`` (e.g. detach)."""
    events = client().events(
        since=int(since.timestamp()),
        until=int(time.time()) + 1,
        filters={"container": ref, "event": action},
        decode=True,
    )
    with contextlib.closing(events):
        return any(True for _event in events)


@engine_call
def run_script(checked: CheckedExec, timeout: float) -> ScriptResult:
    """Run an exec the gate allowed (with a TTY: one plain stream) to its end, or until
    ``timeout``: its output and exit code."""
    if not checked.tty:
        raise ValueError("run_script reads a TTY exec's plain stream")
    started = time.monotonic()
    exec_id = engine_containers.create_exec(checked)
    sock = client().exec_start(exec_id, tty=checked.tty, socket=True)
    raw = getattr(sock, "_sock", sock)  # a SocketIO over the engine's connection
    chunks, size = [], 0
    try:
        while (remaining := started + timeout - time.monotonic()) > 0:
            raw.settimeout(remaining)
            try:
                chunk = raw.recv(READ_SIZE)  # not the SDK's read: it polls without a timeout
            except TimeoutError:
                break
            if not chunk:
                return ScriptResult(_exit_code(exec_id), _text(chunks), time.monotonic() - started)
            if size < OUTPUT_LIMIT:
                chunks.append(chunk)
                size += len(chunk)
    finally:
        sock.close()
    return ScriptResult(None, _text(chunks), time.monotonic() - started)


def _exit_code(exec_id: str) -> int | None:
    """The exec's code; the engine may report it a moment after the stream ends."""
    for _attempt in range(50):
        details = client().exec_inspect(exec_id)
        if not details.get("Running"):
            return details.get("ExitCode")
        time.sleep(0.02)
    return None


def _text(chunks: list[bytes]) -> str:
    return b"".join(chunks)[:OUTPUT_LIMIT].decode(errors="replace").replace("\r\n", "\n")
