from django.urls import path

from volumes import file_views, views

app_name = "volumes"
urlpatterns = [
    path("", views.volume_list, name="list"),
    path("new/", views.volume_new, name="new"),
    path("prune/", views.volume_prune, name="prune"),
    path("<str:name>/", views.volume_detail, name="detail"),
    path("<str:name>/actions/", views.volume_action, name="action"),
    path("<str:name>/files/", file_views.volume_files, name="files"),
    path("<str:name>/files/download/", file_views.volume_file_download, name="file_download"),
]
