from django.urls import path

from stats.live import LiveStatsConsumer

websocket_urlpatterns = [path("ws/stats/live/", LiveStatsConsumer.as_asgi())]
