from django.urls import path

from containers import views

app_name = "containers"
urlpatterns = [
    path("", views.container_list, name="list"),
    path("<str:ref>/", views.container_detail, name="detail"),
    path("<str:ref>/terminal/", views.container_terminal, name="terminal"),
]
