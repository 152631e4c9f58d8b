"""A user's terminal preferences: read where a terminal is drawn, changed from any terminal."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from dashboard.models import TerminalPreference


def screen_reader_for(user: object) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return TerminalPreference.objects.filter(user=user, screen_reader=True).exists()


@require_POST
def set_screen_reader(request: HttpRequest) -> HttpResponse:
    """xterm.js's screen reader mode (an accessible tree of the terminal's text), on or off."""
    on = request.POST.get("screen_reader") == "on"
    TerminalPreference.objects.update_or_create(user=request.user, defaults={"screen_reader": on})
    return HttpResponse(status=204)
