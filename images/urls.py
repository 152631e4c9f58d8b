from django.urls import path

from images import pull_views, views

app_name = "images"
urlpatterns = [
    path("", views.image_list, name="list"),
    path("pull/", pull_views.pull_form, name="pull"),
    path("pulls/prune/", pull_views.pull_prune, name="pull_prune"),
    path("pulls/<uuid:job_id>/", pull_views.pull_job, name="pull_job"),
    path("pulls/<uuid:job_id>/cancel/", pull_views.pull_cancel, name="pull_cancel"),
    path("pulls/<uuid:job_id>/retry/", pull_views.pull_retry, name="pull_retry"),
    path("prune/", views.image_prune, name="prune"),
    path("<str:ref>/", views.image_detail, name="detail"),
    path("<str:ref>/tag/", views.image_tag, name="tag"),
    path("<str:ref>/remove/", views.image_remove, name="remove"),
]
