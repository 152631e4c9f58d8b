"""Container logs as lines: stdout and stderr told apart, in time order, with their timestamps."""

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from dashboard.engine import logs as engine_logs
from dashboard.engine.errors import EngineError

DEFAULT_TAIL = 200
MAX_TAIL = 10_000
FOLLOW_LINES = 500  # the most lines one follow update brings
DOWNLOAD_BATCH = 2000  # lines read per trip to a worker thread


@dataclass(frozen=True)
class LogLine:
    timestamp: str  # RFC 3339 with nanoseconds, as the engine writes it
    stream: str  # "stdout" or "stderr"
    text: str

    @property
    def order(self) -> tuple[str, str]:
        """Sorts by time exactly, whether or not the engine trimmed trailing zeros."""
        seconds, _, fraction = self.timestamp.rstrip("Z").partition(".")
        return seconds, fraction.ljust(9, "0")

    @property
    def unix_time(self) -> float:
        seconds, fraction = self.order
        return datetime.fromisoformat(seconds + "+00:00").timestamp() + float(f"0.{fraction}")


def _parse(raw: bytes, stream: str) -> list[LogLine]:
    return [_line(line, stream) for line in raw.split(b"\n") if line]


def _line(raw: bytes, stream: str) -> LogLine:
    """One line as the engine writes it with ``timestamps``: the time, a space, the text."""
    timestamp, _space, text = raw.decode(errors="replace").partition(" ")
    return LogLine(timestamp, stream, text.rstrip("\r"))


def read_lines(container: dict[str, Any], tail: int | str, after: str = "") -> list[LogLine]:
    """The last ``tail`` lines of each stream (a TTY has only one), merged by time; with
    ``after`` (a timestamp already shown), only the lines that came later."""
    try:
        since = max(LogLine(after, "", "").unix_time, 0) if after else 0  # the SDK refuses < 0
    except (
        ValueError,
        OverflowError,
    ):  # not a timestamp this page wrote: show the tail as if none was given
        after, since = "", 0

    def stream(name: str, stdout: bool, stderr: bool) -> list[LogLine]:
        raw = engine_logs.container_logs(
            container["Id"], stdout=stdout, stderr=stderr, tail=tail, since=since
        )
        return _parse(raw, name)

    if container["Config"].get("Tty"):
        lines = stream("stdout", True, True)
    else:
        lines = sorted(stream("stdout", True, False) + stream("stderr", False, True), key=_order)
    if after:
        shown = LogLine(after, "", "").order
        lines = [line for line in lines if line.order > shown]
    return lines[-tail:] if isinstance(tail, int) else lines


def _order(line: LogLine) -> tuple[str, str]:
    return line.order


def parse_tail(value: str | None) -> int:
    if not (value or "").isascii():
        return DEFAULT_TAIL
    try:
        return min(max(int(value or DEFAULT_TAIL), 1), MAX_TAIL)
    except ValueError:
        return DEFAULT_TAIL


def all_lines(container: dict[str, Any]) -> AsyncIterator[bytes]:
    """Every line of the logs for a download, in time order, read as it is sent: memory stays
    flat however long the logs are. Both streams are opened now, in the request's engine."""
    tty = bool(container["Config"].get("Tty"))
    if tty:
        streams = [("stdout", True, True)]
    else:
        streams = [("stdout", True, False), ("stderr", False, True)]
    readers = [
        _split(
            engine_logs.container_log_stream(container["Id"], stdout=out, stderr=err, tty=tty),
            name,
        )
        for name, out, err in streams
    ]
    return _batches(heapq.merge(*readers, key=_order))


def _split(chunks: Iterator[bytes], stream: str) -> Iterator[LogLine]:
    """Lines from the stream's chunks (a long line may come in several)."""
    rest = b""
    for chunk in chunks:
        *lines, rest = (rest + chunk).split(b"\n")
        for line in lines:
            yield _line(line, stream)
    if rest:
        yield _line(rest, stream)


async def _batches(lines: Iterator[LogLine]) -> AsyncIterator[bytes]:
    def next_batch() -> bytes:
        batch = itertools.islice(lines, DOWNLOAD_BATCH)
        return "".join(f"{line.timestamp} {line.stream} {line.text}\n" for line in batch).encode()

    try:
        while batch := await asyncio.to_thread(next_batch):
            yield batch
    except EngineError as error:
        yield (
            "\n" + _("The engine ended the logs early: %(message)s") % {"message": error.message}
        ).encode()
