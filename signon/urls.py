from django.urls import path

from signon import mapping_views

app_name = "signon"

urlpatterns = [
    path("groups/", mapping_views.group_list, name="groups"),
    path("groups/<int:rule_id>/remove/", mapping_views.group_remove, name="group_remove"),
]
