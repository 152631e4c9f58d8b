from django.urls import path

from stacks import views

app_name = "stacks"
urlpatterns = [
    path("", views.stack_list, name="list"),
    path("new/", views.stack_new, name="new"),
    path("<str:name>/", views.stack_detail, name="detail"),
    path("<str:name>/actions/", views.stack_action, name="action"),
    path("<str:name>/redeploy/", views.stack_redeploy, name="redeploy"),
    path("<str:name>/logs/", views.stack_logs, name="logs"),
    path("<str:name>/webhook/", views.stack_webhook, name="webhook"),
    path("<str:name>/git-poll/", views.stack_git_poll, name="git_poll"),
]
