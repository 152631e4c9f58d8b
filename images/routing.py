from django.urls import path

from images.live import LiveImagesConsumer, PullProgressConsumer

websocket_urlpatterns = [
    path("ws/images/live/", LiveImagesConsumer.as_asgi()),
    path("ws/images/pulls/<uuid:job_id>/", PullProgressConsumer.as_asgi()),
]
