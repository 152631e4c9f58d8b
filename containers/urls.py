from django.urls import path

from containers import file_views, views

app_name = "containers"
urlpatterns = [
    path("", views.container_list, name="list"),
    path("new/", views.container_new, name="new"),
    path("prune/", views.container_prune, name="prune"),
    path("new/command-line/", views.container_command_line, name="command_line"),
    path("<str:ref>/", views.container_detail, name="detail"),
    path("<str:ref>/actions/", views.container_action, name="action"),
    path("<str:ref>/terminal/", views.container_terminal, name="terminal"),
    path("<str:ref>/commit/", views.container_commit, name="commit"),
    path("<str:ref>/recreate/", views.container_recreate, name="recreate"),
    path("<str:ref>/tabs/<str:tab>/", views.container_tab, name="tab"),
    path("<str:ref>/logs/download/", views.container_logs_download, name="logs_download"),
    path("<str:ref>/files/", file_views.container_files, name="files"),
    path("<str:ref>/files/download/", file_views.container_file_download, name="file_download"),
    path("<str:ref>/files/upload/", file_views.container_file_upload, name="file_upload"),
    path("<str:ref>/files/save/", file_views.container_file_save, name="file_save"),
]
