"""The JSON-lines sinks: a file that a log shipper tails, and an HTTP endpoint that takes a
batch of lines in one POST (``application/x-ndjson``). Both acknowledge what they take: the
file once it is on disk, the endpoint with a 2xx answer."""

import http.client
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from audit.sink import SinkDown

TIMEOUT_SECONDS = 10


def lines(records: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


class FileSink:
    name = "file"
    confirm_seconds = 0.0

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def lost(self) -> bool:
        return False

    def send(self, records: list[dict[str, Any]]) -> None:
        # Opened for each batch, so that a rotated file is followed by a new one.
        try:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, lines(records))
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        except OSError as error:
            raise SinkDown(f"audit file {self.path}: {error.strerror or error}") from error

    def close(self) -> None:
        pass


class HttpSink:
    """POSTs each batch; redirects are not followed (the answer must be 2xx)."""

    name = "http"
    confirm_seconds = 0.0

    def __init__(self, url: str, token: str = "") -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"DOCKBOARD_AUDIT_HTTP must be an http(s):// URL, not {url!r}")
        self.url = parts
        # What the messages name: a query may hold a secret.
        self.shown = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
        self.headers = {"Content-Type": "application/x-ndjson"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self._connection: http.client.HTTPConnection | None = None

    def lost(self) -> bool:
        return False

    def _connect(self) -> http.client.HTTPConnection:
        kind = (
            http.client.HTTPSConnection
            if self.url.scheme == "https"
            else http.client.HTTPConnection
        )
        return kind(self.url.hostname, self.url.port, timeout=TIMEOUT_SECONDS)

    def send(self, records: list[dict[str, Any]]) -> None:
        path = (self.url.path or "/") + (f"?{self.url.query}" if self.url.query else "")
        body = lines(records)
        while True:
            # A kept-alive connection the endpoint has since closed is tried once more, anew.
            reused = self._connection is not None
            try:
                if self._connection is None:
                    self._connection = self._connect()
                self._connection.request("POST", path, body=body, headers=self.headers)
                answer = self._connection.getresponse()
                answer.read()
                break
            except (OSError, http.client.HTTPException) as error:
                self.close()
                if not reused:
                    raise SinkDown(f"{self.shown}: {error}") from error
        if not 200 <= answer.status < 300:
            self.close()
            raise SinkDown(f"{self.shown} answered {answer.status} {answer.reason}")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
