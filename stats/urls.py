from django.urls import path

from stats import views

app_name = "stats"
urlpatterns = [
    path("", views.stats_list, name="list"),
    path("engine/", views.engine_charts, name="engine"),
    path("containers/<str:ref>/", views.container_charts, name="container"),
]
