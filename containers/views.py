from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_http_methods, require_POST

from containers import actions, logs
from containers.listing import STATE_FILTERS, container_rows, normalise_sort
from containers.tabs import TABS
from dashboard.access import access_container, visible_containers
from dashboard.engine import EngineError


@require_http_methods(["GET", "POST"])
def container_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _bulk_action(request)
    state = request.GET.get("state")
    if state not in STATE_FILTERS:
        state = None
    query = request.GET.get("q", "")
    sort = normalise_sort(request.GET.get("sort"))
    rows = container_rows(visible_containers(request.user), state, query, sort)
    context = {
        "rows": rows,
        "state": state,
        "query": query,
        "sort": sort,
        "selected": set(request.GET.getlist("ids")),
    }
    template = "containers/list.html#table" if request.htmx else "containers/list.html"
    return render(request, template, context)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("containers:list")
    return redirect(target)


def _perform(request: HttpRequest, ref: str) -> str:
    action = request.POST.get("action", "")
    if action == "remove":
        return actions.remove(
            request.user, ref, force="force" in request.POST, volumes="volumes" in request.POST
        )
    if action == "rename":
        return actions.rename(request.user, ref, request.POST.get("name", ""))
    return actions.run_lifecycle(request.user, ref, action)


@require_POST
def container_action(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        messages.success(request, _perform(request, ref))
    except EngineError as exc:
        messages.error(request, exc.message)
    return _back(request)


def _bulk_action(request: HttpRequest) -> HttpResponse:
    for ref in request.POST.getlist("ids"):
        try:
            messages.success(request, _perform(request, ref))
        except EngineError as exc:
            messages.error(request, exc.message)
    return _back(request)


@csp_override({**settings.SECURE_CSP, "style-src": ["'self'", "'unsafe-inline'"]})
def container_terminal(request: HttpRequest, ref: str) -> HttpResponse:
    """xterm.js attached to the container (or a new shell in it); xterm.js needs inline styles."""
    container = access_container(request.user, ref)
    return render(request, "containers/terminal.html", {"c": container})


def container_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """The facts from one inspect; a tab named in ``?tab=`` is rendered in place too."""
    container = access_container(request.user, ref)
    tab = request.GET.get("tab")
    context = {"c": container, "tab": tab if tab in TABS else None}
    if context["tab"]:
        context.update(TABS[tab](request, container))
    return render(request, "containers/detail.html", context)


def container_tab(request: HttpRequest, ref: str, tab: str) -> HttpResponse:
    container = access_container(request.user, ref)
    if tab not in TABS:
        raise Http404
    context = {"c": container, "tab": tab, **TABS[tab](request, container)}
    part = "log_lines" if tab == "logs" and "after" in request.GET else tab
    return render(request, f"containers/detail.html#{part}", context)


def container_logs_download(request: HttpRequest, ref: str) -> HttpResponse:
    container = access_container(request.user, ref)
    lines = logs.read_lines(container, "all")
    body = "".join(f"{line.timestamp} {line.stream} {line.text}\n" for line in lines)
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    name = container["Name"].lstrip("/")
    response["Content-Disposition"] = f'attachment; filename="{name}.log"'
    return response
