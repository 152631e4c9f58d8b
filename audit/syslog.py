"""The syslog sink: RFC 5424 messages over TCP, or TLS (RFC 5425), framed by octet counting
(RFC 6587 3.4.1), which both rsyslog and syslog-ng read.

Plain syslog over TCP has no acknowledgement: a receiver that stops while rows are in its socket
drops them. So the streamer confirms a send only after the connection has stayed up for
``confirm_seconds`` more, and sends again whatever was not confirmed when the connection is
found closed or reset. A row may then arrive twice; never not at all. Each carries its id.
"""

import json
import select
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

from audit.sink import SinkDown

TIMEOUT_SECONDS = 5
# authpriv: security and authorisation messages, kept apart from the rest by most set-ups.
FACILITY = 10
SEVERITY = {"ok": 5, "refused": 4, "error": 3}  # notice, warning, error
# Structured data needs an enterprise number; 32473 is the one RFC 5612 reserves for examples
# and documentation, as no number is registered for Dockboard.
SD_ID = "dockboard@32473"
SD_PARAMS = ("id", "installation", "actor", "team", "outcome", "target_kind", "target_id")


def _header_field(value: str, longest: int) -> str:
    """A header field: printable US-ASCII without spaces, or "-" when empty."""
    kept = "".join(c if 33 <= ord(c) <= 126 else "_" for c in value)[:longest]
    return kept or "-"


def _param_value(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def message(record: dict[str, Any], hostname: str) -> bytes:
    """One framed message: the header, the row's main fields as structured data, and the
    whole row as JSON for the receiver's parser."""
    priority = FACILITY * 8 + SEVERITY.get(record["outcome"], 5)
    params = " ".join(
        f'{name}="{_param_value(record[name])}"'
        for name in SD_PARAMS
        if record[name] not in (None, "")
    )
    header = (
        f"<{priority}>1 {record['time']} {_header_field(hostname, 255)} dockboard - "
        f"{_header_field(record['action'], 32)} [{SD_ID} {params}] "
    )
    body = header.encode() + json.dumps(record, ensure_ascii=False).encode()
    return b"%d %s" % (len(body), body)


class SyslogSink:
    name = "syslog"
    confirm_seconds = 1.0

    def __init__(self, url: str, cafile: str = "") -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("tcp", "tls") or not parts.hostname:
            raise ValueError(
                f"DOCKBOARD_AUDIT_SYSLOG must be tcp://HOST:PORT or tls://HOST:PORT, not {url!r}"
            )
        self.tls = parts.scheme == "tls"
        self.address = (parts.hostname, parts.port or (6514 if self.tls else 514))
        self.cafile = cafile or None
        self.hostname = socket.gethostname()
        self._socket: socket.socket | None = None

    def _connect(self) -> socket.socket:
        connection = socket.create_connection(self.address, timeout=TIMEOUT_SECONDS)
        if self.tls:
            context = ssl.create_default_context(cafile=self.cafile)
            connection = context.wrap_socket(connection, server_hostname=self.address[0])
        return connection

    def lost(self) -> bool:
        """Whether the receiver closed or reset the connection. It never writes to us, so
        anything to read is the end (or, under TLS, a record of the protocol's own)."""
        if self._socket is None:
            return False
        if not select.select([self._socket], [], [], 0)[0]:
            return False
        self._socket.setblocking(False)
        try:
            ended = self._socket.recv(1) == b""
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            ended = False
        except OSError:
            ended = True
        if ended:
            self.close()
        else:
            self._socket.settimeout(TIMEOUT_SECONDS)
        return ended

    def send(self, records: list[dict[str, Any]]) -> None:
        try:
            if self._socket is None:
                self._socket = self._connect()
            self._socket.sendall(b"".join(message(r, self.hostname) for r in records))
        except (OSError, ssl.SSLError) as error:
            self.close()
            raise SinkDown(f"syslog at {self.address[0]}:{self.address[1]}: {error}") from error

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
