"""Flow control for one terminal: bound the bytes sent to the browser and not yet acknowledged.

Above the high watermark the reader stops reading the engine's stream, so backpressure reaches
the container's process; it reads again once the browser's acknowledgements bring the bytes in
flight below the low watermark.
"""

import asyncio

HIGH_WATERMARK = 1024 * 1024
LOW_WATERMARK = 256 * 1024


class FlowWindow:
    def __init__(self, high: int = HIGH_WATERMARK, low: int = LOW_WATERMARK) -> None:
        self.high, self.low = high, low
        self.in_flight = 0
        self._open = asyncio.Event()
        self._open.set()

    def sent(self, count: int) -> None:
        self.in_flight += count
        if self.in_flight >= self.high:
            self._open.clear()

    def acknowledged(self, count: int) -> None:
        self.in_flight -= min(max(count, 0), self.in_flight)
        if self.in_flight <= self.low:
            self._open.set()

    def wake(self) -> None:
        """Let the reader read once more, though the window is full (an interrupt to skip)."""
        self._open.set()

    def forget(self) -> None:
        """The browser dropped what it had not drawn (see containers/interrupt.py)."""
        self.in_flight = 0
        self._open.set()

    async def wait_open(self, timeout: float) -> None:
        """Return once sending may go on; ``TimeoutError`` if the browser stalls that long."""
        if not self._open.is_set():
            async with asyncio.timeout(timeout):
                await self._open.wait()
