"""The websocket stack: exact same origin, session login, a signed-in user, then the routes."""

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.urls import re_path

from dashboard.engine.scope import EngineScopeWebsocket


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def same_origin(scope: dict) -> bool:
    """The Host header names this site, and the Origin is this site: the same scheme, host and
    port. Cookies ignore the port, so another web app on the same host (or plain http beside
    https) must not open a shell with the user's cookie."""
    host = _header(scope, b"host").lower()
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    behind_tls_proxy = bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None))
    secure = scope.get("scheme") == "wss" or behind_tls_proxy
    expected = f"{'https' if secure else 'http'}://{host}"
    return _header(scope, b"origin").lower() == expected


class SameOriginOnly:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        if not same_origin(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.inner(scope, receive, send)


class LoginRequired:
    """Refuse the handshake of any websocket whose session has no active user."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        user = scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            return await WebsocketDenier()(scope, receive, send)
        return await self.inner(scope, receive, send)


def websocket_application() -> Any:
    from containers.routing import websocket_urlpatterns as containers
    from images.routing import websocket_urlpatterns as images
    from labs.routing import websocket_urlpatterns as labs
    from stats.routing import websocket_urlpatterns as stats

    # The last route refuses any other path: the router itself would fail the handshake with a 500.
    routes = [*containers, *images, *labs, *stats, re_path(r"", WebsocketDenier.as_asgi())]
    return SameOriginOnly(
        EngineScopeWebsocket(AuthMiddlewareStack(LoginRequired(URLRouter(routes))))
    )
