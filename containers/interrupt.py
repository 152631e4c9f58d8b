"""Ctrl+C into a flood of output (`yes`, a runaway log): what the browser has not drawn yet is
skipped, as a local terminal's line discipline flushes its output queue on an interrupt.

Otherwise the prompt would wait behind the flow window and what the engine's own buffers hold
(about 1.2 MB of a TTY's output here), all drawn first: seconds of `y` lines at xterm.js's pace.
A flood is a browser BACKLOG bytes behind, or FLOOD_BYTES sent within about a second (the
engine's buffers are full then, whether the browser keeps up or not). An interrupt typed into a
quiet terminal, or into a full-screen program's redraw (far smaller), changes nothing."""

import asyncio
import time

INTERRUPT = b"\x03"
ECHOED = b"^C"  # where the line discipline flushed its queue, it echoes the interrupt (ECHOCTL)
BACKLOG = 256 * 1024
FLOOD_BYTES = 1024 * 1024
# With no echo (ECHOCTL off, a program in raw mode), the skip ends once the output pauses this
# long, or after LIMIT_SECONDS if it goes on: then it is drawn as before.
QUIET_SECONDS = 0.2
LIMIT_SECONDS = 0.5
TAIL = 16 * 1024  # drawn with the echo: the last screens of output before it


class FloodMeter:
    """The bytes sent to the browser in this second and the one before."""

    def __init__(self) -> None:
        self.start, self.current, self.previous = time.monotonic(), 0, 0

    def sent(self, count: int) -> None:
        now = time.monotonic()
        if now - self.start >= 1.0:
            self.previous = self.current if now - self.start < 2.0 else 0
            self.start, self.current = now, 0
        self.current += count

    def flooding(self) -> bool:
        self.sent(0)  # a second with nothing sent ends the count
        return self.current + self.previous >= FLOOD_BYTES


async def skip_backlog(session, data: bytes) -> tuple[bytes, int]:
    """Read what the engine holds up to the interrupt's echo, ``data`` first; (the last TAIL
    bytes before the echo, starting at a line, with what came after it; the bytes skipped)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LIMIT_SECONDS
    tail, skipped = data, 0
    while ECHOED not in tail and loop.time() < deadline:
        # A flood's reads never wait: yield, or no other terminal (nor this one's input, which
        # brings the echo) would run until the deadline.
        await asyncio.sleep(0)
        if not (more := await _next_within(session, QUIET_SECONDS)):
            break
        tail += more
        echo = tail.find(ECHOED)
        cut = (len(tail) if echo < 0 else echo) - TAIL
        if cut > TAIL:  # cut seldom: each cut copies the tail
            skipped, tail = skipped + cut, tail[cut:]
    echo = tail.find(ECHOED)
    cut = (len(tail) if echo < 0 else echo) - TAIL
    if cut > 0:  # the loop cut seldom, and its last read can be large: TAIL at most is drawn
        skipped, tail = skipped + cut, tail[cut:]
    if skipped:
        # Drawn from a line's start (a cut line or escape sequence is not drawn), or from the
        # echo when no line ends before it (one endless line: `tr` of /dev/zero).
        echo = tail.find(ECHOED)
        newline = tail.find(b"\n", 0, echo if echo >= 0 else len(tail))
        start = newline + 1 if newline >= 0 else max(echo, 0)
        skipped, tail = skipped + start, tail[start:]
    return tail, skipped


async def _next_within(session, seconds: float) -> bytes:
    """The engine's next bytes as soon as they come (the echo's read must not wait to fill a
    buffer: the prompt alone follows it), or b"" when none come for ``seconds``."""
    try:
        async with asyncio.timeout(seconds):
            return await session.read()
    except TimeoutError:
        return b""
