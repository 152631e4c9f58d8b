"""Pages and websockets of one engine carry it in their path: ``/engines/NAME/containers/…``.

The prefix is taken off before Django resolves the URL, the engine is made current for the
gateway (``engine.on``), and the script prefix is set to it, so every link the page reverses
stays on that engine. Unprefixed paths are the ``local`` engine's, as they always were.
"""

import contextlib
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, set_script_prefix

from dashboard import engine, engines

ENGINE_PATH = re.compile(r"^/engines/(?P<name>[-a-zA-Z0-9_]+)/(?P<rest>.*)$", re.ASCII)
# What lives on an engine: its overview (""), containers, images, volumes, networks, Swarm and
# the terminals.
SCOPED = re.compile(r"^(?:$|containers/|images/|volumes/|networks/|swarm/|ws/)")


def prefix(name: str) -> str:
    return "/" if name == engines.LOCAL else f"/engines/{name}/"


@contextlib.contextmanager
def engine_scope(name: str) -> Iterator[None]:
    """Work on engine ``name``, and reverse URLs onto it (for code outside a request too)."""
    previous = get_script_prefix()
    set_script_prefix(prefix(name))
    try:
        with engine.on(name):
            yield
    finally:
        set_script_prefix(previous)


def split(path: str) -> tuple[str | None, str]:
    """The engine a path names (None: no engine prefix, or a page that is not an engine's) and
    the path without the prefix."""
    match = ENGINE_PATH.match(path)
    if match is None or match["name"] == engines.ALL:  # /engines/all/…: every engine's, by itself
        return None, path
    rest = "/" + match["rest"]
    return (match["name"] if SCOPED.match(match["rest"]) else None), rest


class EngineScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name, rest = split(request.path_info)
        if rest == request.path_info:
            return self.get_response(request)
        request.path_info = rest
        if name is None:  # e.g. /engines/x/teams/: not an engine's page, served as /teams/
            return self.get_response(request)
        # An unknown name is found out by the first engine call, after the login check.
        with engine_scope(name):
            return self.get_response(request)


class EngineScopeWebsocket:
    """The same for websockets: ``/engines/NAME/ws/…`` is served on that engine."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        name, rest = split(scope["path"])
        if name is None:
            return await self.inner(scope, receive, send)
        with engine.on(name):
            return await self.inner({**scope, "path": rest}, receive, send)
