"""The engine's multiplexed stream (containers without a TTY): 8-byte headers, then a payload.

Header: stream type (0 stdin, 1 stdout, 2 stderr), three zero bytes, payload length (big-endian
uint32). Reads do not follow frame boundaries, so partial headers and payloads are kept.
"""

STDOUT, STDERR = 1, 2
HEADER_SIZE = 8


class Demultiplexer:
    def __init__(self) -> None:
        self._pending = bytearray()

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        """The complete frames ``(stream, payload)`` that ``data`` finishes, in order."""
        self._pending += data
        frames = []
        start = 0
        pending = self._pending
        while len(pending) - start >= HEADER_SIZE:
            length = int.from_bytes(pending[start + 4 : start + 8], "big")
            end = start + HEADER_SIZE + length
            if end > len(pending):
                break
            frames.append((pending[start], bytes(pending[start + HEADER_SIZE : end])))
            start = end
        del pending[:start]
        return frames
