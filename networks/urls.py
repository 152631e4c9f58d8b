from django.urls import path

from networks import views

app_name = "networks"
urlpatterns = [
    path("", views.network_list, name="list"),
    path("new/", views.network_new, name="new"),
    path("prune/", views.network_prune, name="prune"),
    path("<str:ref>/", views.network_detail, name="detail"),
    path("<str:ref>/actions/", views.network_action, name="action"),
]
