"""Pages and websockets of one engine carry it in their path: ``/engines/NAME/containers/…``.

A page of engine NAME is resolved against that engine's URLconf (``dashboard.urls`` built for
NAME), with the engine made current for the gateway (``engine.on``): every link the page
reverses then stays on that engine. ``dashboard.urls`` itself is ``local``'s. The websockets
take the prefix off before Channels routes them; unprefixed ones are ``local``'s.
"""

import contextlib
import functools
import re
import types
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import get_urlconf, set_urlconf

from dashboard.engine import current as engine
from dashboard.engine import registry as engines
from dashboard.models import Engine

ENGINE_PATH = re.compile(r"^/engines/(?P<name>[-a-zA-Z0-9_]+)/(?P<rest>.*)$", re.ASCII)


@functools.cache
def _urlconf(name: str) -> types.ModuleType:
    # Made once per engine name (Django keeps one resolver per URLconf for good): only for
    # engines that exist, never for a name that comes from a URL alone.
    from dashboard import urls

    module = types.ModuleType(f"dashboard.urls.{name}")
    module.urlpatterns = urls.patterns_for(name)  # type: ignore[attr-defined]
    module.handler500 = urls.handler500  # type: ignore[attr-defined]
    return module


def urlconf(name: str) -> types.ModuleType | None:
    """The URLconf of engine ``name``'s pages (None: the default one, ``local``'s)."""
    return None if name == engines.LOCAL else _urlconf(name)


@contextlib.contextmanager
def engine_scope(name: str) -> Iterator[None]:
    """Work on engine ``name``, and reverse URLs onto it (for code outside a request too)."""
    previous = get_urlconf()
    set_urlconf(urlconf(name))
    try:
        with engine.on(name):
            yield
    finally:
        set_urlconf(previous)


def engine_named(path: str) -> str | None:
    """The engine a path is on: None for no engine prefix, and for ``/engines/all/…``."""
    match = ENGINE_PATH.match(path)
    return None if match is None or match["name"] == engines.ALL else match["name"]


class EngineScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = engine_named(request.path_info)
        if name in (None, engines.LOCAL) or not Engine.objects.filter(name=name).exists():
            # local's pages, the pages of no engine, and an unknown name (which the default
            # URLconf answers, after the login check, with "No such engine").
            return self.get_response(request)
        request.urlconf = urlconf(name)
        with engine.on(name):
            return self.get_response(request)


class EngineScopeWebsocket:
    """The same for websockets: ``/engines/NAME/ws/…`` is served on that engine."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        match = ENGINE_PATH.match(scope["path"])
        if match is None or match["name"] == engines.ALL:
            return await self.inner(scope, receive, send)
        with engine.on(match["name"]):
            return await self.inner({**scope, "path": "/" + match["rest"]}, receive, send)
