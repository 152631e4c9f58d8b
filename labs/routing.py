from django.urls import path

from labs.live import LiveRosterConsumer
from labs.session_live import LiveSessionConsumer

websocket_urlpatterns = [
    path("ws/classes/<int:class_id>/roster/", LiveRosterConsumer.as_asgi()),
    path("ws/sessions/<int:session_id>/status/", LiveSessionConsumer.as_asgi()),
]
