"""What the streamer asks of a sink (``audit.syslog``, ``audit.json_lines``), and how it fails."""

from typing import Any, Protocol


class SinkDown(Exception):
    """The sink did not take the rows; the message says why, for the log and the audit page."""


class Sink(Protocol):
    name: str
    # How long the connection must stay up after a send before the rows count as delivered
    # (0: taking them is the receipt).
    confirm_seconds: float

    def lost(self) -> bool:
        """Whether rows sent but not yet confirmed may have been dropped."""

    def send(self, records: list[dict[str, Any]]) -> None:
        """Deliver the rows, in order, or raise ``SinkDown``."""

    def close(self) -> None: ...
