"""One request to the Engine API endpoint, and the answers a handler gives to it."""

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

import orjson

from dashboard.engine.errors import EngineError, Refusal
from dockerapi.models import ApiToken

VERSION = re.compile(r"^/v(\d+\.\d+)(?=/)", re.ASCII)


@dataclass
class Call:
    """What the caller asked: ``target`` as sent (with its API version, for the engine),
    ``path`` without the version, the query's last value of each name."""

    method: str
    target: str
    path: str
    query: dict[str, str]
    headers: dict[bytes, bytes]
    body: bytes
    token: ApiToken
    peer: str = ""
    # The container a `wait` or an attach is about (by its full id), once the gatekeeper let it,
    # and whether the attach is a terminal's (its input ends only when the person detaches).
    container_id: str = ""
    terminal: bool = False

    @classmethod
    def parse(
        cls, method: str, target: str, headers: dict[bytes, bytes], body: bytes, token: ApiToken
    ) -> "Call":
        path, _sep, query = target.partition("?")
        path = urllib.parse.unquote(VERSION.sub("", path))
        return cls(
            method=method,
            target=target,
            path=path,
            query=dict(urllib.parse.parse_qsl(query, keep_blank_values=True)),
            headers=headers,
            body=body,
            token=token,
        )

    @property
    def user(self) -> Any:
        return self.token.user

    def json(self) -> dict[str, Any]:
        """The body as a JSON object; ``ApiError`` 400 when it is not one."""
        try:
            data = orjson.loads(self.body or b"{}")
        except orjson.JSONDecodeError:
            raise ApiError(400, "The request body is not JSON.") from None
        if not isinstance(data, dict):
            raise ApiError(400, "The request body is not a JSON object.")
        return data

    def engine_target(self, path: str, query: dict[str, str] | None = None) -> str:
        """The target to send the engine: ``path`` (a full id in place of the name asked for),
        with the caller's API version, and the caller's query unless another is given."""
        prefix = VERSION.match(self.target)
        text = self.target.partition("?")[2] if query is None else urllib.parse.urlencode(query)
        quoted = urllib.parse.quote(path)
        return (prefix.group(0) if prefix else "") + quoted + (f"?{text}" if text else "")

    def query_all(self, name: str) -> list[str]:
        """Every value of a name the query repeats (`docker commit --change` …)."""
        text = self.target.partition("?")[2]
        return urllib.parse.parse_qs(text, keep_blank_values=True).get(name, [])

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in {"1", "true"}


class ApiError(Exception):
    """An answer in the Engine API's error shape: ``{"message": …}`` with an HTTP status; the
    CLI prints it as "Error response from daemon: …"."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @classmethod
    def of(cls, error: EngineError) -> "ApiError":
        """The engine's or the gate's failure; every refusal of Dockboard's rules is a 403."""
        return cls(403 if isinstance(error, Refusal) else error.status, error.message)


@dataclass
class Json:
    """A JSON answer made here."""

    data: Any
    status: int = 200
