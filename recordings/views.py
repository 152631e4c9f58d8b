"""Recorded terminals: the list a user may replay, the player (asciinema-player) with its
markers and speeds, and the .cast file itself."""

import json

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override

from dashboard.access import access_recording, visible_recordings
from dashboard.engine import NotFound
from dashboard.models import TerminalRecording

MAX_MARKERS = 500
SPEEDS = ("0.5", "1", "2", "4", "8")
# asciinema-player draws with WebAssembly and sets its sizes as inline styles.
PLAYER_CSP = {
    **settings.SECURE_CSP,
    "script-src": ["'self'", "'wasm-unsafe-eval'"],
    "style-src": ["'self'", "'unsafe-inline'"],
}


def recording_list(request: HttpRequest) -> HttpResponse:
    recordings = visible_recordings(request.user).select_related("user", "team")
    page = Paginator(recordings, 50).get_page(request.GET.get("page"))
    return render(request, "recordings/list.html", {"page": page})


def _markers(recording: TerminalRecording) -> list[tuple[float, str]]:
    """The file's markers (a lab check's step, a gap, the size cap), read line by line."""
    markers = []
    with (settings.DATA_DIR / recording.path).open(encoding="utf-8") as cast:
        next(cast, None)  # the header
        for line in cast:
            if '"m"' not in line:
                continue
            when, code, label = json.loads(line)
            if code == "m":
                markers.append((when, label))
                if len(markers) >= MAX_MARKERS:
                    break
    return markers


@csp_override(PLAYER_CSP)
def recording_detail(request: HttpRequest, recording_id: int) -> HttpResponse:
    recording = access_recording(request.user, recording_id)
    try:
        markers = _markers(recording)
    except FileNotFoundError:
        raise NotFound(_("The recording's file is gone.")) from None
    context = {"recording": recording, "markers": markers, "speeds": SPEEDS}
    return render(request, "recordings/detail.html", context)


def recording_cast(request: HttpRequest, recording_id: int) -> FileResponse:
    recording = access_recording(request.user, recording_id)
    try:
        cast = (settings.DATA_DIR / recording.path).open("rb")
    except FileNotFoundError:
        raise NotFound(_("The recording's file is gone.")) from None
    name = f"{recording.container_name}-{recording.started_at:%Y%m%d-%H%M%S}.cast"
    return FileResponse(
        cast,
        as_attachment=request.GET.get("download") == "1",
        filename=name,
        content_type="application/x-asciicast",
    )
