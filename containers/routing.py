from django.urls import path

from containers.live import LiveContainersConsumer
from containers.terminal import TerminalConsumer

websocket_urlpatterns = [
    path("ws/containers/live/", LiveContainersConsumer.as_asgi()),
    path("ws/containers/<str:ref>/attach/", TerminalConsumer.as_asgi(mode="attach")),
    path("ws/containers/<str:ref>/exec/", TerminalConsumer.as_asgi(mode="exec")),
]
