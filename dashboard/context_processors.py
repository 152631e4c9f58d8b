from django.http import HttpRequest

from dashboard.grants import grants_for


def team_status(request: HttpRequest) -> dict[str, bool]:
    """Whether the signed-in user is on no team (they see an empty dashboard that says why)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"no_team": False}
    return {"no_team": not grants_for(user).has_team}
