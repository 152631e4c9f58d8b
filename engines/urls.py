from django.urls import path

from engines import views

app_name = "engines"
urlpatterns = [
    path("", views.engine_list, name="list"),
    path("<slug:name>/", views.engine_overview, name="overview"),
    path("<slug:name>/remove/", views.engine_remove, name="remove"),
]
