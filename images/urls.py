from django.urls import path

from images import build_views, pull_views, push_views, views

app_name = "images"
urlpatterns = [
    path("", views.image_list, name="list"),
    path("pull/", pull_views.pull_form, name="pull"),
    path("pulls/prune/", pull_views.pull_prune, name="pull_prune"),
    path("pulls/<uuid:job_id>/", pull_views.pull_job, name="pull_job"),
    path("pulls/<uuid:job_id>/actions/", pull_views.pull_action, name="pull_action"),
    path("build/", build_views.build_form, name="build"),
    path("builds/<uuid:job_id>/", build_views.build_job, name="build_job"),
    path("builds/<uuid:job_id>/cancel/", build_views.build_cancel, name="build_cancel"),
    path("pushes/<uuid:job_id>/", push_views.push_job, name="push_job"),
    path("pushes/<uuid:job_id>/cancel/", push_views.push_cancel, name="push_cancel"),
    path("prune/", views.image_prune, name="prune"),
    path("updates/", views.image_updates, name="updates"),
    path("<str:ref>/", views.image_detail, name="detail"),
    path("<str:ref>/actions/", views.image_action, name="action"),
    path("<str:ref>/push/", push_views.push_request, name="push"),
]
