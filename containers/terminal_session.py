"""The engine side of one browser terminal: attach to or exec in a container; how it ended."""

import asyncio
import contextlib
import shlex
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from dashboard.engine import containers as engine_containers
from dashboard.engine import errors as engine_errors
from dashboard.engine import logs as engine_logs
from dashboard.engine import probe as engine_probe
from dashboard.engine import streams as engine_stream
from dashboard.engine.errors import BadParameter, Conflict, EngineError
from dashboard.engine.frames import STDERR, Demultiplexer
from dashboard.engine.streams import EngineStream
from dashboard.policy import containers as container_policy
from dashboard.policy.sealed import CheckedExec

RECENT_LINES = 100
END_SECONDS = 5.0  # the ender gives SIGHUP a second before SIGKILL
RECENT_BYTES = 64 * 1024
SHELLS = ("/bin/bash", "/bin/sh")
_RED, _RESET = b"\x1b[31m", b"\x1b[0m"


class TerminalSession:
    def __init__(
        self, container: dict[str, Any], stream: EngineStream, checked: CheckedExec | None = None
    ) -> None:
        self.container = container
        self.stream = stream
        self.checked = checked  # the exec's, as the gate let it through; None when attached
        self.exec_id: str | None = None
        self._demux = None if stream.tty else Demultiplexer()

    @property
    def container_id(self) -> str:
        return self.container["Id"]

    @property
    def tty(self) -> bool:
        return self.stream.tty

    @property
    def accepts_input(self) -> bool:
        return self.exec_id is not None or bool(self.container["Config"].get("OpenStdin"))

    @classmethod
    async def attach(cls, container: dict[str, Any], start: bool) -> "TerminalSession":
        """`docker attach`; with ``start``, attach first and then start, as `docker start -a -i`."""
        if not start and not container["State"].get("Running"):
            raise Conflict(_("The container is not running. Start it to attach."))
        stream = await engine_stream.attach(
            container["Id"],
            tty=bool(container["Config"]["Tty"]),
            image=container["Config"]["Image"],
        )
        if start:
            try:
                await asyncio.to_thread(
                    engine_containers.container_action, container["Id"], "start"
                )
            except EngineError:
                await stream.close()
                raise
        return cls(container, stream)

    @staticmethod
    async def exec_argv(container: dict[str, Any], command: str) -> list[str]:
        """What `docker exec -i -t` runs: the given command, else bash if the image has it,
        else sh."""
        if command:
            try:
                return shlex.split(command)
            except ValueError as exc:
                raise BadParameter(
                    _("The command is not valid: %(error)s") % {"error": exc}
                ) from exc
        return [await asyncio.to_thread(_first_shell, container["Id"])]

    @classmethod
    async def exec(cls, container: dict[str, Any], checked: CheckedExec) -> "TerminalSession":
        """`docker exec -i -t`, as the policy gate let it through."""
        exec_id = await asyncio.to_thread(engine_containers.create_exec, checked)
        session = cls(container, await engine_stream.start_exec(exec_id, tty=True), checked)
        session.exec_id = exec_id
        return session

    async def read(self) -> bytes:
        """The engine's next bytes (b"" at the end); ``OSError`` when the engine went away."""
        return await self.stream.read()

    async def read_more(self, seconds: float, limit: int) -> bytes:
        return await self.stream.read_more(seconds, limit)

    async def write(self, data: bytes) -> bool:
        """Send what was typed; False when the engine is gone (the reader then says so)."""
        try:
            await self.stream.write(data)
        except (OSError, RuntimeError):
            return False
        return True

    def output(self, data: bytes) -> Iterator[bytes]:
        """What the browser shows for bytes read from the engine: raw, or demultiplexed."""
        if self._demux is None:
            yield data
            return
        for stream, payload in self._demux.feed(data):
            yield _RED + payload + _RESET if stream == STDERR else payload

    async def recent_output(self) -> bytes:
        """A bounded tail of what the container printed, so an idle shell does not look blank."""
        try:
            tail = await asyncio.to_thread(
                engine_logs.container_logs_tail, self.container_id, RECENT_LINES
            )
        except engine_errors.NotSupported:
            return b""  # a logging driver that keeps nothing to read (none, syslog, ...)
        return tail[-RECENT_BYTES:]

    async def resize(self, rows: int, cols: int) -> None:
        if self.exec_id is not None:
            await asyncio.to_thread(engine_containers.resize_exec, self.exec_id, rows, cols)
        else:
            await asyncio.to_thread(
                engine_containers.resize_container, self.container_id, rows, cols
            )

    async def ending(self) -> dict[str, Any]:
        """Why the stream ended: the exec's process exited, the user detached, or the container
        exited (the engine may close the stream a moment before it records the exit)."""
        if self.exec_id is not None:
            return {"type": "ended", "reason": "exec-exited", "exitCode": await self._exec_exit()}
        code = await asyncio.to_thread(engine_containers.wait_for_exit, self.container_id, 0.5)
        if code is None:
            return {"type": "ended", "reason": "detached"}
        return {"type": "ended", "reason": "exited", "exitCode": code}

    async def _exec_exit(self) -> int | None:
        for _attempt in range(20):
            state = await asyncio.to_thread(engine_containers.inspect_exec, self.exec_id)
            if not state.get("Running"):
                return state.get("ExitCode")
            await asyncio.sleep(0.05)
        return None

    async def hang_up(self) -> None:
        """End an exec whose page closed, and all it started: the engine would leave them
        running (one more process a closed tab, until the container can fork no more)."""
        if self.exec_id is None or self.checked is None:
            return
        ender = container_policy.exec_ender(self.checked)
        with contextlib.suppress(EngineError):
            ended = await asyncio.to_thread(engine_probe.run_script, ender, END_SECONDS)
            if ended.exit_code == 0:
                return
        await self._keys_to_end()

    async def _keys_to_end(self) -> None:
        """Where the container has no shell to end the exec with: Ctrl+C stops what runs in the
        foreground, then Ctrl+D ends the shell; tried again while the exec still runs (a busy
        machine may lose the first Ctrl+D)."""
        for pause in (0.2, 0.5, 1.0):
            if not await self.write(b"\x03"):
                return
            await asyncio.sleep(0.05)
            if not await self.write(b"\x04"):
                return
            await asyncio.sleep(pause)
            with contextlib.suppress(EngineError):
                state = await asyncio.to_thread(engine_containers.inspect_exec, self.exec_id)
                if not state.get("Running"):
                    return

    async def close(self) -> None:
        await self.stream.close()


def _first_shell(container_id: str) -> str:
    for shell in SHELLS[:-1]:
        if engine_containers.path_exists(container_id, shell):
            return shell
    return SHELLS[-1]
