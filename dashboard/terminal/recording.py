"""Terminal recordings in asciicast v2: a header line, then ``[seconds, code, data]`` lines for
output ("o"), input ("i", only where an administrator allows it), resizes ("r", "COLSxROWS") and
markers ("m").

Recording never slows or blocks a terminal: the terminal hands events to a bounded queue and
goes on; a thread of the recording's own writes them. Should the disk fall behind and the queue
fill, what did not fit is dropped and a marker says how much; past the size cap a marker says so
and the recording stops. Bytes are decoded as UTF-8 across reads, never splitting a character.
"""

import codecs
import contextlib
import json
import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.db import close_old_connections, connection
from django.dispatch import receiver
from django.utils import timezone

from dashboard.models import Team, TerminalRecording
from dashboard.notation.names import container_name
from dashboard.ops.housekeeping import housekeeping
from dashboard.policy import ownership

log = logging.getLogger(__name__)
QUEUE_EVENTS = 4096
WAKE_SECONDS = 1.0
_STOP = object()


@dataclass
class Recorder:
    """Takes a terminal's events without waiting; ``close`` when the terminal ends."""

    path: Path
    header: dict[str, Any]
    record_input: bool
    cap: int = field(default_factory=lambda: settings.DOCKBOARD_RECORDING_MAX_BYTES)
    started: float = field(default_factory=time.monotonic)
    size: int = 0
    lost: int = 0
    stopped: bool = False
    closing: bool = False
    on_done: Callable[["Recorder"], None] | None = None  # called by the writer when it ends

    def __post_init__(self) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_EVENTS)
        self._decoders = {
            code: codecs.getincrementaldecoder("utf-8")(errors="replace") for code in "oi"
        }
        self._thread = threading.Thread(target=self._write, name="recording", daemon=True)
        self._thread.start()

    def output(self, data: bytes) -> None:
        self._text("o", data)

    def input(self, data: bytes) -> None:
        if self.record_input:
            self._text("i", data)

    def resize(self, cols: int, rows: int) -> None:
        self._put("r", f"{cols}x{rows}")

    def marker(self, label: str) -> None:
        self._put("m", label)

    def _text(self, code: str, data: bytes) -> None:
        if text := self._decoders[code].decode(data):
            self._put(code, text)

    def _put(self, code: str, data: str) -> None:
        if self.stopped or self.closing:
            return
        when = round(time.monotonic() - self.started, 6)
        try:
            if self.lost:  # room again: say where the gap was, then go on
                self._queue.put_nowait((when, "m", f"gap: {self.lost} events dropped"))
                self.lost = 0
            self._queue.put_nowait((when, code, data))
        except queue.Full:
            self.lost += 1

    def close(self) -> None:
        """No more events; the writer writes what is queued and ends by itself."""
        self.closing = True
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(_STOP)

    def wait(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _write(self) -> None:
        try:
            self._write_events()
        except OSError as exc:  # a full disk, a lost mount: the recording ends, the terminal not
            log.warning("recording %s stopped: %s", self.path, exc)
            self.stopped = True
        if self.on_done is not None:
            self.on_done(self)

    def _write_events(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("wb") as out:
            self._line(out, self._encoded(self.header))
            while not self.stopped:
                try:
                    event = self._queue.get(timeout=WAKE_SECONDS)
                except queue.Empty:
                    if self.closing:
                        return
                    continue
                if event is _STOP:
                    return
                line = self._encoded(list(event))
                if self.size + len(line) > self.cap:
                    marker = [event[0], "m", "recording stopped: size cap reached"]
                    self._line(out, self._encoded(marker))
                    self.stopped = True
                    return
                self._line(out, line)
                if self._queue.empty():
                    out.flush()

    @staticmethod
    def _encoded(value: object) -> bytes:
        # orjson takes a tenth of the json module's time, and this thread holds the GIL the
        # terminals' event loop waits for meanwhile
        return orjson.dumps(value) + b"\n"

    def _line(self, out: Any, line: bytes) -> None:
        out.write(line)
        self.size += len(line)


def should_record(owner: ownership.Owner | None) -> tuple[bool, Team | None]:
    """Whether the team of a container (its ownership record) records its terminals (off, lab
    sessions', or all)."""
    team = Team.objects.filter(pk=owner.team_id).first() if owner and owner.team_id else None
    if team is None or team.recording == Team.Recording.OFF:
        return False, team
    return team.recording == Team.Recording.ALL or bool(owner.lab_session), team


def start(
    user: Any,
    container: dict[str, Any],
    mode: str,
    engine_name: str,
    cols: int = 80,
    rows: int = 24,
) -> Recorder | None:
    """A recording of this terminal, if its team's policy asks for one (its row ends when the
    recorder's writer does)."""
    owner = ownership.owner_of(ownership.Kind.CONTAINER, container["Id"])
    record, team = should_record(owner)
    if not record:
        return None
    now = timezone.now()
    relative = f"recordings/{now:%Y/%m/%d}/{container['Id'][:12]}-{now:%H%M%S%f}.cast"
    row = TerminalRecording.objects.create(
        user=user,
        team=team,
        engine=engine_name,
        container_id=container["Id"],
        container_name=container_name(container),
        owner_id=owner.owner_id,
        lab_session=owner.lab_session,
        mode=mode,
        input_recorded=team.record_input,
        path=relative,
    )
    header = {
        "version": 2,
        "width": cols,
        "height": rows,
        "timestamp": int(now.timestamp()),
        "title": f"{row.container_name} ({mode}, {user.get_username()})",
        "env": {"TERM": "xterm-256color", "SHELL": "/bin/sh"},
    }
    return Recorder(
        settings.DATA_DIR / relative,
        header,
        team.record_input,
        on_done=lambda done: _finish(row.pk, done),
    )


def _finish(row_id: int, recorder: Recorder) -> None:
    """The writer's last act, in its own thread (so even a cut-short terminal's row ends)."""
    try:
        TerminalRecording.objects.filter(pk=row_id).update(
            ended_at=timezone.now(), size=recorder.size
        )
    finally:
        connection.close()


@receiver(housekeeping, dispatch_uid="dashboard.recording.retention")
def remove_old_recordings(**_: object) -> None:
    """Recordings past DOCKBOARD_RECORDING_DAYS go, file and row."""
    close_old_connections()
    cutoff = timezone.now() - timedelta(days=settings.DOCKBOARD_RECORDING_DAYS)
    for row in TerminalRecording.objects.filter(started_at__lt=cutoff).iterator():
        (settings.DATA_DIR / row.path).unlink(missing_ok=True)
        row.delete()


ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
TAIL_BYTES = 8 * 1024


def last_lines(row: TerminalRecording, count: int = 3) -> list[str]:
    """The last ``count`` lines of a recording's output, as text (what a teacher glances at)."""
    try:
        with (settings.DATA_DIR / row.path).open("rb") as cast:
            cast.seek(max(0, cast.seek(0, 2) - TAIL_BYTES))
            # A line ends at "\n" only: U+2028 or U+0085 may stand in a JSON string unescaped.
            tail = cast.read().decode(errors="replace").split("\n")[1:]  # the first is cut
    except OSError:
        return []
    output = []
    for line in tail:
        with contextlib.suppress(ValueError, TypeError):
            _when, code, data = json.loads(line)
            if code == "o":
                output.append(data)
    text = ESCAPES.sub("", "".join(output)).replace("\r\n", "\n").replace("\r", "\n")
    return [line for line in text.split("\n") if line.strip()][-count:]
