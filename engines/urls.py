from django.urls import path

from engines import views

app_name = "engines"
urlpatterns = [
    path("", views.engine_list, name="list"),
]
