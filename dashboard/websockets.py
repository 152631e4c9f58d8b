"""The websocket stack: origin check, session login, a signed-in user, then the routes."""

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier


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
    from containers.routing import websocket_urlpatterns

    return AllowedHostsOriginValidator(
        AuthMiddlewareStack(LoginRequired(URLRouter(websocket_urlpatterns)))
    )
