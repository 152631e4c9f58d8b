"""Container logs as lines: stdout and stderr told apart, in time order, with their timestamps."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dashboard import engine

DEFAULT_TAIL = 200
MAX_TAIL = 10_000


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
    lines = []
    for line in raw.decode(errors="replace").splitlines():
        timestamp, _, text = line.partition(" ")
        lines.append(LogLine(timestamp, stream, text.rstrip("\r")))
    return lines


def read_lines(container: dict[str, Any], tail: int | str, after: str = "") -> list[LogLine]:
    """The last ``tail`` lines of each stream (a TTY has only one), merged by time; with
    ``after`` (a timestamp already shown), only the lines that came later."""
    try:
        since = LogLine(after, "", "").unix_time if after else 0
    except ValueError:  # not a timestamp this page wrote: show the tail as if none was given
        after, since = "", 0

    def stream(name: str, stdout: bool, stderr: bool) -> list[LogLine]:
        raw = engine.container_logs(
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
    try:
        return min(max(int(value or DEFAULT_TAIL), 1), MAX_TAIL)
    except ValueError:
        return DEFAULT_TAIL
