"""Recorded terminals: the list a user may replay, the player (asciinema-player) with its
markers and speeds, and the .cast file itself."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override

from dashboard.access.recordings import access_recording, visible_recordings
from dashboard.engine.errors import NotFound
from dashboard.models import TerminalRecording
from dashboard.web.paging import page_of

MAX_MARKERS = 500
CHUNK_BYTES = 256 * 1024
SPEEDS = ("0.5", "1", "2", "4", "8")
# asciinema-player draws with WebAssembly and sets its sizes as inline styles.
PLAYER_CSP = {
    **settings.SECURE_CSP,
    "script-src": ["'self'", "'wasm-unsafe-eval'"],
    "style-src": ["'self'", "'unsafe-inline'"],
}


def recording_list(request: HttpRequest) -> HttpResponse:
    recordings = visible_recordings(request.user).select_related("user", "team")
    page = page_of(recordings, request.GET.get("page"))
    return render(request, "recordings/list.html", {"page": page})


def _markers(recording: TerminalRecording) -> list[tuple[float, str]]:
    """The file's markers (a lab check's step, a gap, the size cap), read line by line."""
    markers = []
    with (settings.DATA_DIR / recording.path).open(encoding="utf-8") as cast:
        next(cast, None)  # the header
        for line in cast:
            if '"m"' not in line:
                continue
            try:
                when, code, label = json.loads(line)
            except (ValueError, TypeError):  # a live recording's last line, half written
                continue
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


def recording_cast(request: HttpRequest, recording_id: int) -> StreamingHttpResponse:
    """The .cast, read in chunks as it is sent (under ASGI a plain file would be read whole)."""
    recording = access_recording(request.user, recording_id)
    path = settings.DATA_DIR / recording.path
    if not path.is_file():
        raise NotFound(_("The recording's file is gone."))
    response = StreamingHttpResponse(_chunks(path), content_type="application/x-asciicast")
    name = f"{recording.container_name}-{recording.started_at:%Y%m%d-%H%M%S}.cast"
    kind = "attachment" if request.GET.get("download") == "1" else "inline"
    response["Content-Disposition"] = f'{kind}; filename="{name}"'
    response["Content-Length"] = str(path.stat().st_size)
    return response


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as cast:
        while chunk := await asyncio.to_thread(cast.read, CHUNK_BYTES):
            yield chunk
