"""Every engine's pages live under ``/engines/NAME/`` (``local`` included); the other pages (teams,
labs, audit, recordings, engines, sign-in) at the root.

This module is the ``local`` engine's URLconf. Another engine's request resolves against one built
the same way for its name (``engine_scope.urlconf``), so every link reversed on a page points at
the engine the page is on, and a link to a page of no engine is the same everywhere. The paths of
the releases before several engines (``/containers/…``, ``/``) redirect to ``/engines/local/…``.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.i18n import set_language

from dashboard import views
from dashboard.engine import registry as engines
from dashboard.terminal import preferences as terminal_preferences
from dashboard.web import health, metrics

handler500 = "dashboard.web.errors.server_error"


def engine_pages() -> list[URLPattern | URLResolver]:
    return [
        path("", views.overview, name="overview"),
        path("images/", include("images.urls")),
        path("containers/", include("containers.urls")),
        path("volumes/", include("volumes.urls")),
        path("networks/", include("networks.urls")),
        path("stacks/", include("stacks.urls")),
        path("swarm/", include("swarm.urls")),
        path("stats/", include("stats.urls")),
    ]


def other_pages() -> list[URLPattern | URLResolver]:
    return [
        path("setup/<str:token>/", views.first_administrator, name="setup"),
        path("healthz", health.healthz, name="healthz"),
        path("readyz", health.readyz, name="readyz"),
        path("metrics", metrics.metrics, name="metrics"),
        path("", include("signon.sign_in_urls")),
        path("signon/", include("signon.urls")),
        path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
        path("", include("teams.urls")),
        path("audit/", include("audit.urls")),
        path("", include("labs.urls")),
        path("recordings/", include("recordings.urls")),
        path("alerts/", include("stats.alert_urls")),
        path("tokens/", include("dockerapi.urls")),
        path("engines/all/containers/", include("containers.everywhere_urls")),
        path("engines/", include("engines.urls")),
        re_path(r"^engines/(?P<name>[^/]+)/", views.no_such_engine),
        path(
            "terminal/screen-reader/",
            terminal_preferences.set_screen_reader,
            name="terminal_screen_reader",
        ),
        path("i18n/setlang/", login_not_required(set_language), name="set_language"),
        path("admin/", admin.site.urls),
    ]


def patterns_for(engine: str) -> list[URLPattern | URLResolver]:
    return [path(f"engines/{engine}/", include(engine_pages())), *other_pages()]


urlpatterns = [
    *patterns_for(engines.LOCAL),
    path("", views.old_local_path),
    re_path(
        r"^(?P<rest>(?:images|containers|volumes|networks|swarm|stats)/.*)$", views.old_local_path
    ),
]
