from django.urls import path

from recordings import views

app_name = "recordings"
urlpatterns = [
    path("", views.recording_list, name="list"),
    path("<int:recording_id>/", views.recording_detail, name="detail"),
    path("<int:recording_id>.cast", views.recording_cast, name="cast"),
]
