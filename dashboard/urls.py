from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from containers import everywhere
from dashboard import terminal_preferences, views

handler500 = "dashboard.errors.server_error"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("setup/<str:token>/", views.first_administrator, name="setup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("images/", include("images.urls")),
    path("containers/", include("containers.urls")),
    path("volumes/", include("volumes.urls")),
    path("networks/", include("networks.urls")),
    path("swarm/", include("swarm.urls")),
    path("", include("teams.urls")),
    path("audit/", include("audit.urls")),
    path("", include("labs.urls")),
    path("recordings/", include("recordings.urls")),
    path("engines/all/containers/", everywhere.container_list_everywhere, name="everywhere"),
    path("engines/", include("engines.urls")),
    path(
        "terminal/screen-reader/",
        terminal_preferences.set_screen_reader,
        name="terminal_screen_reader",
    ),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
