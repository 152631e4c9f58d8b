"""The list of every engine's containers, at ``/engines/all/containers/`` (no engine's page)."""

from django.urls import path

from containers.everywhere import container_list_everywhere

urlpatterns = [path("", container_list_everywhere, name="everywhere")]
