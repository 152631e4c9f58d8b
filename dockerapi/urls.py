from django.urls import path

from dockerapi import views

app_name = "dockerapi"
urlpatterns = [
    path("", views.token_list, name="tokens"),
    path("new/", views.token_create, name="create"),
    path("<int:token_id>/revoke/", views.token_revoke, name="revoke"),
]
