from django.urls import path

from images import views

app_name = "images"
urlpatterns = [
    path("", views.image_list, name="list"),
    path("<str:ref>/", views.image_detail, name="detail"),
]
