from django.urls import path

from teams import invitation_views, user_views, views

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
    path("users/", user_views.user_list, name="users"),
    path("users/<int:user_id>/active/", user_views.user_active, name="user_active"),
    path("invitations/<str:token>/", invitation_views.invitation, name="invitation"),
]
