from django.urls import path

from networks import views

app_name = "networks"
urlpatterns = [
    path("", views.network_list, name="list"),
    path("new/", views.network_new, name="new"),
    path("prune/", views.network_prune, name="prune"),
    path("<str:ref>/", views.network_detail, name="detail"),
    path("<str:ref>/connect/", views.network_connect, name="connect"),
    path("<str:ref>/disconnect/", views.network_disconnect, name="disconnect"),
    path("<str:ref>/remove/", views.network_remove, name="remove"),
]
