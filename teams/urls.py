from django.urls import path

from teams import invitation_views, registry_views, user_views, views

app_name = "teams"
urlpatterns = [
    path("teams/", views.team_list, name="list"),
    path("teams/<int:team_id>/", views.team_detail, name="detail"),
    path("teams/<int:team_id>/policy/", views.team_policy, name="policy"),
    path("teams/<int:team_id>/invitations/", views.team_invite, name="invite"),
    path(
        "teams/<int:team_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("teams/<int:team_id>/members/<int:user_id>/", views.member_role, name="member"),
    path("teams/<int:team_id>/registries/", registry_views.login_add, name="registry_add"),
    path(
        "teams/<int:team_id>/registries/<int:login_id>/password/",
        registry_views.login_rotate,
        name="registry_rotate",
    ),
    path(
        "teams/<int:team_id>/registries/<int:login_id>/remove/",
        registry_views.login_remove,
        name="registry_remove",
    ),
    path("users/", user_views.user_list, name="users"),
    path("users/<int:user_id>/active/", user_views.user_active, name="user_active"),
    path("invitations/<str:token>/", invitation_views.invitation, name="invitation"),
]
