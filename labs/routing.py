from django.urls import path

from labs.live import LiveRosterConsumer

websocket_urlpatterns = [
    path("ws/classes/<int:class_id>/roster/", LiveRosterConsumer.as_asgi()),
]
