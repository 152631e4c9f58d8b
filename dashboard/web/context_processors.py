import time

from django.http import HttpRequest
from django.urls import reverse

from dashboard.access.roles import Role, grants_for
from dashboard.engine import current as engine
from dashboard.engine.registry import LOCAL


def team_status(request: HttpRequest) -> dict[str, bool]:
    """Whether the signed-in user is on no team (they see an empty dashboard that says why), and
    whether they manage people (administrators and instructors: the users and audit pages)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"no_team": False, "manages_people": False}
    grants = grants_for(user)
    return {
        "no_team": not grants.has_team,
        "manages_people": grants.admin or bool(grants.teams_with(Role.INSTRUCTOR)),
    }


def current_engine(request: HttpRequest) -> dict[str, str]:
    """The engine the page is on (named in the header unless it is ``local``), and the path
    prefix of its pages and websockets."""
    name = engine.current_name()
    return {"engine_name": "" if name == LOCAL else name, "engine_prefix": reverse("overview")}


def live_since(request: HttpRequest) -> dict[str, str]:
    """When the page's request began, for its live socket's ``?since=``."""
    return {"live_since": f"{getattr(request, 'began', time.time()):.6f}"}
