"""The terminal websocket: bytes between xterm.js and a container's attach or exec stream.

Binary frames carry terminal bytes both ways. Text frames carry JSON: from the browser
``{"type": "resize", "cols", "rows"}`` and ``{"type": "ack", "bytes"}`` (what xterm.js has
consumed); to the browser ``hello``, ``ended`` and ``error`` events.
"""

import asyncio
import contextlib
import json
import logging
import random
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import gettext as _

from containers import interrupt
from containers.flow import FlowWindow
from containers.terminal_presence import TerminalPresence, record_action
from containers.terminal_session import TerminalSession
from dashboard.access.containers import access_owned_container
from dashboard.access.roles import Rights
from dashboard.actions import audit
from dashboard.engine import current as engine
from dashboard.engine.errors import Denied, EngineError
from dashboard.live.sessions import user_group
from dashboard.ops import metrics
from dashboard.policy import containers as container_policy
from dashboard.policy.ownership import Owner
from dashboard.policy.sealed import CheckedExec
from dashboard.terminal import recording
from dashboard.terminal.activity import container_used

log = logging.getLogger(__name__)

MAX_INPUT_FRAME = 64 * 1024
MAX_CONTROL_FRAME = 1024
STALL_SECONDS = 30.0
MAX_TERMINAL_SIZE = 1000
MAX_ACK = 2**31
# Output that answers the user (a keystroke's echo, a command's first lines) goes at once. Other
# output (`yes`, a build log) is gathered for up to PACE_SECONDS into one frame: a busy terminal
# then costs the server, the network and the browser at most ~100 frames a second instead of one
# per write of the process, which keeps keystrokes in every other terminal quick.
ANSWER_SECONDS = 0.5
PACE_SECONDS = 0.01
GATHER_BELOW = 16 * 1024
GATHER_LIMIT = 64 * 1024
WATCH_PACE_SECONDS = 0.1
USE_REPORT_SECONDS = 60.0  # terminal input counts as activity (labs' idle timeout) this often


@database_sync_to_async
def _start_recording(user: Any, container: dict[str, Any], mode: str) -> recording.Recorder | None:
    return recording.start(user, container, mode, engine.current_name())


@database_sync_to_async
def _report_use(lab_session: str) -> None:
    container_used.send(sender=TerminalConsumer, lab_session=lab_session)


@database_sync_to_async
def _access(user: Any, ref: str) -> tuple[dict[str, Any], Owner | None, Rights]:
    """The container (read rights suffice to watch), its ownership record and the user's
    rights."""
    return access_owned_container(user, ref)


@database_sync_to_async
def _check_exec(
    user: Any,
    address: str | None,
    container: dict,
    argv: list[str],
    exec_user: str,
    privileged: bool,
) -> CheckedExec:
    with audit.client_address(address):
        return container_policy.check_exec(user, container, argv, exec_user, privileged=privileged)


class TerminalConsumer(TerminalPresence, AsyncWebsocketConsumer):
    def __init__(self, mode: str = "attach", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mode = mode  # "attach" or "exec", given by the route
        self.session: TerminalSession | None = None
        self.pump: asyncio.Task | None = None
        self.last_input = 0.0
        self.last_use_report = float("-inf")
        self.lab_session = ""
        self.recorder: recording.Recorder | None = None
        self.may_type = False
        self.window = FlowWindow()
        self.skipping = False  # Ctrl+C into a flood: the pump skips what the engine still holds
        self.output_rate = interrupt.FloodMeter()

    async def connect(self) -> None:
        user = self.scope["user"]
        ref = self.scope["url_route"]["kwargs"]["ref"]
        try:
            container, owner, rights = await _access(user, ref)
        except EngineError:
            await self.close()  # refuses the handshake: not found and not allowed look alike
            return
        self.may_type = rights is Rights.WRITE
        self.lab_session = owner.lab_session if owner else ""
        await self.accept()
        self.counted = True
        metrics.OPEN_TERMINALS.inc()
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        params = {k: v[-1] for k, v in parse_qs(self.scope["query_string"].decode()).items()}
        # Someone else's terminal is watched, never typed into unannounced: its owner sees who
        # watches, and a watcher types only in a take-over the owner granted. A container with
        # no owner on record (the CLI's) is its administrators' to use.
        owned_by_another = owner is not None and owner.owner_id != user.pk
        self.watching = self.mode == "attach" and (params.get("watch") == "1" or owned_by_another)
        try:
            self.session = await self._open(container, params)
        except EngineError as exc:
            await self.send_event({"type": "error", "message": exc.message})
            await self.close()
            return
        if self.accepts_input:
            await record_action(
                user, self.client_address, self.mode if self.mode == "exec" else "attach", container
            )
        await self.send_event(
            {"type": "hello", "mode": self.mode, "tty": self.session.tty,
             "stdin": self.accepts_input, "watching": self.watching,
             "mayTakeOver": self.watching and self.may_type}
        )  # fmt: skip
        self._presence_init(container)
        await self.join_presence()
        if not self.watching:
            self.recorder = await _start_recording(user, container, self.mode)
        self.pump = asyncio.create_task(
            self._pump(recent=self.mode == "attach" and not params.get("start"))
        )

    @property
    def accepts_input(self) -> bool:
        """Viewers and watchers (unless taking over) watch: what they type is dropped here,
        whatever their browser sends."""
        return (
            self.may_type
            and self.session is not None
            and self.session.accepts_input
            and (not self.watching or self.taking_over)
        )

    async def _open(self, container: dict[str, Any], params: dict[str, str]) -> TerminalSession:
        if self.mode == "exec":
            argv = await TerminalSession.exec_argv(container, params.get("command", "").strip())
            checked = await _check_exec(
                self.scope["user"],
                self.client_address,
                container,
                argv,
                params.get("user", "").strip(),
                params.get("privileged") == "1",
            )
            return await TerminalSession.exec(container, checked)
        start = params.get("start") == "1"
        if start and not self.may_type:
            raise Denied(_("You may only look at this container."))
        return await TerminalSession.attach(container, start=start)

    async def _pump(self, recent: bool) -> None:
        session = self.session
        try:
            if recent:
                await self._replay(await session.recent_output())
            while data := await session.read():
                if len(data) < GATHER_BELOW and not self._answering() and not self.skipping:
                    data += await session.read_more(PACE_SECONDS, GATHER_LIMIT - len(data))
                if self.skipping:  # flagged before the interrupt reached the engine
                    self.skipping = False
                    data = await self._skip_backlog(data)
                for chunk in session.output(data):
                    await self._forward(chunk)
                await self.window.wait_open(STALL_SECONDS)
                if self.watching and not self.taking_over:
                    # A watcher reads in batches: many watchers then cost the typist little. The
                    # batches of different watchers fall apart (they would all wake at once, at
                    # the typist's first key, and hold up a keystroke together).
                    await asyncio.sleep(WATCH_PACE_SECONDS * random.uniform(0.5, 1.5))  # noqa: S311
                # A busy stream always has data ready, so nothing above suspends: yield once a
                # chunk, so that other terminals (a keystroke's echo) are not kept waiting.
                await asyncio.sleep(0)
            ending = await session.ending()
        except TimeoutError:
            ending = {"type": "ended", "reason": "stalled"}
        except EngineError as exc:
            ending = {"type": "error", "message": exc.message}
        except OSError:
            ending = {"type": "ended", "reason": "lost"}
        finally:
            # Release the engine's stream now: an attached reader that no longer reads would
            # block the container's output, and even its removal.
            await session.close()
        await self.send_event(ending)
        await self.close()

    async def _replay(self, tail: bytes) -> None:
        """Output from before this connection, announced: the page draws it without answering
        the queries in it (xterm.js answers a colour or cursor query as if typed)."""
        if tail:
            await self.send_event({"type": "replay"})
            await self._forward(tail)

    async def _skip_backlog(self, data: bytes) -> bytes:
        self.window.forget()  # here, after the pump's last frame before the skip was counted
        tail, skipped = await interrupt.skip_backlog(self.session, data)
        if skipped and self.recorder:
            self.recorder.marker(f"Ctrl+C: {skipped} bytes of output skipped")
        return tail

    def _answering(self) -> bool:
        return asyncio.get_running_loop().time() - self.last_input < ANSWER_SECONDS

    async def _forward(self, chunk: bytes) -> None:
        if chunk:
            await self.send(bytes_data=chunk)
            self.window.sent(len(chunk))
            self.output_rate.sent(len(chunk))
            if self.recorder:
                self.recorder.output(chunk)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before each message: a trip to the one
        # thread that runs the process's synchronous code, which every keystroke and ack then
        # waited its turn for. Nothing here touches the database but through
        # database_sync_to_async, which closes them itself, so messages go straight in.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.session is None:
            return
        if bytes_data is not None:
            if len(bytes_data) > MAX_INPUT_FRAME:
                await self.close(code=1009)
            elif self.accepts_input:
                self.last_input = asyncio.get_running_loop().time()
                if interrupt.INTERRUPT in bytes_data:
                    await self._interrupted()  # before the engine has it
                if not await self.session.write(bytes_data):
                    return  # the engine went away: the output's reader ends the terminal
                if self.recorder:
                    self.recorder.input(bytes_data)
                if self.last_input - self.last_use_report >= USE_REPORT_SECONDS:
                    self.last_use_report = self.last_input
                    await _report_use(self.lab_session)
            return
        if text_data is None or len(text_data) > MAX_CONTROL_FRAME:
            await self.close(code=1009)
            return
        await self._control(text_data)

    async def _interrupted(self) -> None:
        """Ctrl+C typed. Into a flood, output read from now on is skipped up to its echo: flagged
        before the engine has the interrupt, or the echo could be read (and drawn) meanwhile.
        The page parses nothing more until it has the answer, and on a skip drops what it
        queued; sent now, the answer comes before what the interrupt brings (the echo, the
        prompt), which the page must keep."""
        skip = self.session.tty and (
            self.window.in_flight >= interrupt.BACKLOG or self.output_rate.flooding()
        )
        if skip:
            self.skipping = True
            self.window.wake()
        await self.send_event({"type": "interrupt", "skip": skip})

    async def _control(self, text: str) -> None:
        try:
            message = json.loads(text)
            kind = message["type"]
            if kind == "ack":
                self.window.acknowledged(_whole(message["bytes"], 0, MAX_ACK))
            elif kind == "takeover":
                await self.request_takeover(bool(message["active"]))
            elif kind == "resize" and self.session.tty and self.accepts_input:
                rows = _whole(message["rows"], 1, MAX_TERMINAL_SIZE)
                cols = _whole(message["cols"], 1, MAX_TERMINAL_SIZE)
                self.last_input = asyncio.get_running_loop().time()  # a redraw will answer
                await self.session.resize(rows, cols)
                if self.recorder:
                    self.recorder.resize(cols, rows)
        except (ValueError, KeyError, TypeError):
            await self.send_event({"type": "error", "message": _("Malformed control message.")})
        except EngineError as exc:
            log.info("resize of %s failed: %s", self.session.container_id, exc.message)

    async def send_event(self, event: dict[str, Any]) -> None:
        # The browser may be gone already (a closed socket refuses the send): nothing to tell.
        with contextlib.suppress(OSError, RuntimeError):
            await self.send(text_data=json.dumps(event))

    async def user_signed_out(self, event: dict[str, Any]) -> None:
        """The user logged out somewhere, or was deactivated: the terminal ends with them."""
        await self.send_event({"type": "ended", "reason": "logout"})
        await self.close()

    async def terminal_marker(self, event: dict[str, Any]) -> None:
        if self.recorder:
            self.recorder.marker(event["text"])

    async def disconnect(self, code: int) -> None:
        if getattr(self, "counted", False):
            self.counted = False
            metrics.OPEN_TERMINALS.dec()
        if self.group is not None:
            await self.leave_presence()
        if self.recorder:
            self.recorder.close()  # its writer ends the file and the row by itself
        if self.session is not None:
            await self.session.hang_up()
        if self.pump is not None:
            self.pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.pump
        if self.session is not None:
            await self.session.close()  # the pump's own close may have been cancelled midway
        user = self.scope["user"]
        if user.is_authenticated:
            await self.channel_layer.group_discard(user_group(user.pk), self.channel_name)


def _whole(value: Any, low: int, high: int) -> int:
    """A JSON integer from ``low`` to ``high``; anything else (a float such as 1e400, a string,
    a boolean) is a malformed message."""
    if type(value) is not int or not low <= value <= high:
        raise ValueError(value)
    return value
