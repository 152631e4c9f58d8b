"""Visit every page of an installation as one user, over whatever the engine holds: each route
with each object it could name, each list's page 2. Django only, so that another installation's
process can run it on its own database (see tests/harness/installation.py).

What a visit finds: server errors (a 5xx or a logged error with a traceback), and any page that
shows the name or id of something the user must not see."""

import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dashboard import views
from tests.pages import streamed
from tests.routes import REGEX_SAMPLES

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
tried: Counter[str] = Counter()  # what the real-world suite tried, printed at the end of the run


def summary() -> str:
    if not tried:
        return "real world: not visited"
    return (
        "real world: {pages} pages, {acts} actions, {websockets} websockets, "
        "as {roles} people, over {states} engine states".format(**tried)
    )


@dataclass
class Findings:
    tried: int = 0
    shown: int = 0  # pages answered 200
    errors: list[str] = field(default_factory=list)  # "GET /path -> 500"
    tracebacks: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)  # "/path shows name"

    def add(self, other: "Findings") -> None:
        self.tried += other.tried
        self.shown += other.shown
        self.errors += other.errors
        self.tracebacks += other.tracebacks
        self.leaks += other.leaks

    def as_dict(self) -> dict:
        return self.__dict__

    @classmethod
    def from_dict(cls, data: dict) -> "Findings":
        return cls(**data)


class _Tracebacks(logging.Handler):
    """Every error logged with its exception while the visit runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.seen.append(f"{record.name}: {record.getMessage()}")


def routes() -> list[str]:
    """Every route of the project, as its pattern (``engines/local/containers/<str:ref>/``);
    Django's admin and the redirects of the paths before several engines aside."""
    found = []

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not route.startswith("admin/") and not route.startswith("^"):
                    walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and pattern.callback is not views.old_local_path:
                found.append(prefix + REGEX_SAMPLES.get(str(pattern.pattern), str(pattern.pattern)))

    walk(get_resolver().url_patterns, "")
    return found


def _slot(route: str, name: str) -> str:
    """How a route's parameter is known to ``values``: ``ref`` by the collection before it
    (``containers.ref``), any other by its own name."""
    if name != "ref":
        return name
    before = route.split(f"<str:{name}>")[0].rstrip("/").rsplit("/", 1)[-1]
    return f"{before}.{name}"


def paths(values: dict[str, list[str]], skip: Iterable[str] = ()) -> list[str]:
    """Each route with every combination of the values for its parameters (a route whose
    parameter has no values is left out), and every list's page 2."""
    found = []
    for route in routes():
        if any(route.startswith(prefix) for prefix in skip):
            continue
        names = PARAMETER.findall(route)
        if not names:
            found += [f"/{route}", f"/{route}?page=2"]
            continue
        choices = [values.get(_slot(route, name), []) for name in names]
        for chosen in itertools.product(*choices):
            path = route
            for value in chosen:
                path = PARAMETER.sub(value, path, count=1)
            found.append(f"/{path}")
    return found


def _body(response) -> bytes:
    if not response.streaming:
        return response.content
    if response.is_async:
        return streamed(response)
    return b"".join(response.streaming_content)


def visit(user: User, every: list[str], hidden: Iterable[str]) -> Findings:
    """GET each path as the user; note 5xx, tracebacks, and pages showing a hidden name."""
    client = Client(raise_request_exception=False, headers={"host": "127.0.0.1"})
    client.force_login(user)
    hidden = [name for name in hidden if name]
    findings = Findings()
    catcher = _Tracebacks()
    logging.getLogger().addHandler(catcher)
    try:
        for path in every:
            response = client.get(path)
            findings.tried += 1
            findings.shown += response.status_code == 200
            if response.status_code >= 500:
                findings.errors.append(f"GET {path} -> {response.status_code}")
                continue
            body = _body(response).decode(errors="replace")
            findings.leaks += [
                f"{path} shows {name}"
                for name in hidden
                if name in body and name not in path  # a page may repeat what was asked
            ]
    finally:
        logging.getLogger().removeHandler(catcher)
    findings.tracebacks = catcher.seen
    return findings


async def _knock(path: str, cookie: bytes, hidden: list[str]) -> tuple[bool, list[str]]:
    from dashboard.asgi import application  # the websocket stack, once Django is set up

    headers = [(b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000")]
    socket = WebsocketCommunicator(application, path, headers=[*headers, (b"cookie", cookie)])
    connected, _ = await socket.connect(timeout=10)
    text, open_ = "", connected
    while open_ and not await socket.receive_nothing(timeout=0.3):
        message = await socket.receive_output()
        if message["type"] == "websocket.close":
            open_ = False
        text += message.get("text") or (message.get("bytes") or b"").decode(errors="replace")
    await socket.disconnect()  # the consumer ends on the disconnect, as under a server
    return connected and open_, [name for name in hidden if name in text]


def knock(path: str, cookie: bytes, hidden: Iterable[str]) -> tuple[bool, list[str]]:
    """Open a websocket with the user's session cookie: whether it was accepted and kept open,
    and the hidden names in what it sent in its first moment. An error in the consumer is
    raised here."""
    return async_to_sync(_knock)(path, cookie, [name for name in hidden if name])


def cookie_of(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def knock_all(user: User, every: list[str], hidden: Iterable[str]) -> Findings:
    """``knock`` on each websocket path as the user; what was shown that is hidden."""
    cookie, hidden = cookie_of(user), list(hidden)
    findings = Findings()
    for path in every:
        _kept, leaked = knock(path, cookie, hidden)
        findings.tried += 1
        findings.leaks += [f"{path} shows {name}" for name in leaked]
    return findings
