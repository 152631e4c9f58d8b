"""What every page passes: an ``EngineError`` becomes a clear page (or htmx fragment); methods
and caching are the same for all."""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.engine.current import docker_host
from dashboard.engine.errors import EngineError, EngineUnreachable

log = logging.getLogger(__name__)
HEADINGS = {
    403: gettext_lazy("Not allowed"),
    404: gettext_lazy("Not found"),
    503: gettext_lazy("Engine unreachable"),
}


class EngineErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, EngineError):
            return None
        log.info("engine error on %s: %s", request.path, exc.message)
        context = {
            "message": exc.message,
            "status": exc.status,
            "unreachable": isinstance(exc, EngineUnreachable),
            "heading": HEADINGS.get(exc.status) or _("The engine refused"),
            "docker_host": docker_host(),
        }
        if getattr(request, "htmx", False):
            response = render(request, "engine_error.html#message", context, status=exc.status)
            response["HX-Retarget"] = "#messages"
            response["HX-Reswap"] = "innerHTML"
            return response
        return render(request, "engine_error.html", context, status=exc.status)


class RequestBeganMiddleware:
    """Stamps when each request began (``request.began``, a ``time.time()``). A live page's
    socket asks for the engine's events from then on (its ``?since=``, see engine_events), so a
    change between the view's engine call and the socket's start is not missed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.began = time.time()  # type: ignore[attr-defined]
        return self.get_response(request)


PAGE_METHODS = ("GET", "HEAD", "POST")


class PrivatePagesMiddleware:
    """Pages answer GET, HEAD and POST only (405 otherwise), and are never stored by a browser or
    a proxy: they hold inspect output and environments, which may carry secrets. A page answers
    whole or as an htmx fragment, so caches must key on ``HX-Request``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in PAGE_METHODS:
            return HttpResponseNotAllowed(PAGE_METHODS)
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        patch_vary_headers(response, ["HX-Request"])
        return response
