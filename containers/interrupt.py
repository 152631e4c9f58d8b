"""Ctrl+C into a flood of output (`yes`, a runaway log): what the browser has not drawn yet is
skipped, as a local terminal's line discipline flushes its output queue on an interrupt.

Otherwise the prompt would wait behind the flow window and what the engine's own buffers hold
(about 1.2 MB of a TTY's output here), all drawn first: seconds of `y` lines at xterm.js's pace.
Only a browser that is behind by BACKLOG bytes has anything to skip; an interrupt typed into a
quiet terminal (or into a full-screen program, which draws far less) changes nothing."""

import asyncio

from dashboard.engine_stream import READ_SIZE

INTERRUPT = b"\x03"
ECHOED = b"^C"  # where the line discipline flushed its queue, it echoes the interrupt (ECHOCTL)
BACKLOG = 256 * 1024
QUIET_SECONDS = 0.05  # nothing more comes (no echo: ECHOCTL off, a raw-mode program)
LIMIT_SECONDS = 0.5  # a program that goes on (it ignores SIGINT): drawing resumes after this
TAIL = 16 * 1024  # drawn with the echo: the last screens of output before it


async def skip_backlog(session, data: bytes) -> tuple[bytes, int]:
    """Read what the engine holds up to the interrupt's echo, ``data`` first; (the last TAIL
    bytes before the echo, starting at a line, with what came after it; the bytes skipped)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LIMIT_SECONDS
    tail, skipped = data, 0
    while ECHOED not in tail and loop.time() < deadline:
        if not (more := await session.read_more(QUIET_SECONDS, READ_SIZE)):
            break
        tail += more
        echo = tail.find(ECHOED)
        cut = (len(tail) if echo < 0 else echo) - TAIL
        if cut > TAIL:  # cut seldom: each cut copies the tail
            skipped, tail = skipped + cut, tail[cut:]
    if skipped:
        line = tail.find(b"\n") + 1  # a cut line (or escape sequence) is not drawn
        skipped, tail = skipped + line, tail[line:]
    return tail, skipped
