from django.urls import path

from swarm import views

app_name = "swarm"
urlpatterns = [
    path("", views.swarm_overview, name="overview"),
    path("services/new/", views.service_new, name="service_new"),
    path("services/<str:ref>/actions/", views.service_action, name="service_action"),
    path("nodes/<str:node_id>/actions/", views.node_action, name="node_action"),
]
