"""A headless terminal client for the websocket; it acknowledges each frame it receives (the
browser gathers its acknowledgements, see bench/terminal.py's BrowserAcks)."""

import json
import time

from channels.testing import WebsocketCommunicator

from dashboard.asgi import application

HOST = b"127.0.0.1:8000"
ORIGIN = b"http://" + HOST


class TerminalClient:
    def __init__(
        self, path: str, cookie: bytes | None, origin: bytes = ORIGIN, host: bytes = HOST
    ) -> None:
        headers = [(b"host", host)] + ([(b"origin", origin)] if origin else [])
        if cookie:
            headers.append((b"cookie", cookie))
        self.ws = WebsocketCommunicator(application, path, headers=headers)
        self.output = bytearray()
        self.frames = 0  # binary frames received
        self.events: list[dict] = []
        self.event_offsets: list[tuple[str, int]] = []  # each event, and the output before it
        self.ack = True

    async def connect(self) -> bool:
        connected, _ = await self.ws.connect(timeout=10)
        return connected

    async def send(self, data: bytes) -> None:
        await self.ws.send_to(bytes_data=data)

    async def control(self, message: dict) -> None:
        await self.ws.send_to(text_data=json.dumps(message))

    async def _receive_one(self, timeout: float) -> None:
        message = await self.ws.receive_output(timeout)
        if message["type"] == "websocket.close":
            self.events.append({"type": "closed", "code": message.get("code")})
        elif message.get("bytes") is not None:
            self.output += message["bytes"]
            self.frames += 1
            if b"\x1b[6n" in message["bytes"]:  # a cursor position query: answer as xterm.js does
                await self.send(b"\x1b[1;1R")
            if self.ack:
                await self.control({"type": "ack", "bytes": len(message["bytes"])})
        else:
            self.events.append(json.loads(message["text"]))
            self.event_offsets.append((self.events[-1]["type"], len(self.output)))

    async def read_until(self, needle: bytes, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while needle not in self.output:
            try:
                await self._receive_one(max(deadline - time.monotonic(), 0.01))
            except TimeoutError:
                seen = bytes(self.output[-500:])
                raise AssertionError(f"{needle!r} not seen; got {seen!r}, {self.events}") from None
        return self.output.decode(errors="replace")

    async def read_total(self, count: int, timeout: float = 20) -> None:
        """Receive until ``count`` bytes of output have come in all."""
        deadline = time.monotonic() + timeout
        while len(self.output) < count:
            assert time.monotonic() < deadline, f"{len(self.output)} bytes of {count}"
            await self._receive_one(max(deadline - time.monotonic(), 0.01))

    async def event(self, kind: str, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event["type"] == kind:
                    self.events.remove(event)
                    return event
            try:
                await self._receive_one(max(deadline - time.monotonic(), 0.01))
            except TimeoutError:
                seen = bytes(self.output[-300:])
                raise AssertionError(f"no {kind} event: {self.events}, output {seen!r}") from None

    async def drain(self, quiet: float) -> int:
        """Receive until nothing arrives for ``quiet`` seconds; the bytes received meanwhile."""
        before = len(self.output)
        while not await self.ws.receive_nothing(timeout=quiet, interval=0.02):
            await self._receive_one(quiet)
        return len(self.output) - before

    async def close(self) -> None:
        await self.ws.disconnect()


async def open_terminal(path: str, cookie: bytes) -> TerminalClient:
    """A connected terminal that has said hello."""
    client = TerminalClient(path, cookie)
    assert await client.connect()
    hello = await client.event("hello")
    assert hello["mode"] in {"attach", "exec"}
    return client
