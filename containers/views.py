from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_http_methods, require_POST

from containers import actions, create, logs
from containers.create_form import CreateContainerForm
from containers.listing import STATE_FILTERS, container_rows, normalise_sort
from containers.spec import ContainerSpec, SpecError
from containers.tabs import TABS
from dashboard.access import access_container, local_image_tags, visible_containers
from dashboard.engine import EngineError
from images import pulls
from images.reference import parse_reference

PAGE_SIZE = 100


@require_http_methods(["GET", "POST"])
def container_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _perform_each(request, request.POST.getlist("ids"))
    state = request.GET.get("state")
    if state not in STATE_FILTERS:
        state = None
    query = request.GET.get("q", "")
    sort = normalise_sort(request.GET.get("sort"))
    rows = container_rows(visible_containers(request.user), state, query, sort)
    context = {
        "rows": rows,
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
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


def _perform_each(request: HttpRequest, refs: list[str]) -> HttpResponse:
    """Each container's outcome, success or refusal, becomes a message on the page returned to."""
    for ref in refs:
        try:
            messages.success(request, _perform(request, ref))
        except EngineError as exc:
            messages.error(request, exc.message)
    return _back(request)


@require_POST
def container_action(request: HttpRequest, ref: str) -> HttpResponse:
    return _perform_each(request, [ref])


@require_http_methods(["GET", "POST"])
def container_prune(request: HttpRequest) -> HttpResponse:
    """`docker container prune`: first what would go, then the real thing."""
    label = (request.POST if request.method == "POST" else request.GET).get("label", "").strip()
    if request.method == "POST":
        deleted, reclaimed, command = actions.prune(label)
        context = {"deleted": deleted, "reclaimed": reclaimed, "command": command, "done": True}
    else:
        stopped = actions.stopped_containers(visible_containers(request.user), label)
        context = {"stopped": container_rows(stopped), "label": label}
    return render(request, "containers/prune.html", context)


def _command_lines(form: CreateContainerForm) -> dict:
    container_spec = form.to_spec() if form.is_bound else None
    return {
        "form": form,
        "create_line": container_spec.command_line(run=False) if container_spec else "",
        "run_line": container_spec.command_line(run=True) if container_spec else "",
    }


@require_http_methods(["GET", "POST"])
def container_new(request: HttpRequest) -> HttpResponse:
    """`docker create` (Create) or `docker run` (Run), checked before the engine sees it."""
    data = request.POST if request.method == "POST" else None
    form = CreateContainerForm(data, initial={"image": request.GET.get("image", "")})
    if data is not None and (container_spec := form.to_spec()):
        run = "run" in request.POST
        try:
            container_id = create.create(request.user, container_spec, run=run)
        except create.MissingImage:
            return _pull_then_create(request, container_spec, run)
        except SpecError as exc:
            form.add_error(exc.field, exc.message)
        else:
            verb = _("Ran") if run else _("Created")
            command = container_spec.command_line(run)
            messages.success(request, f"{verb} {container_id} ({container_id[:12]}) — {command}")
            if run and container_spec.interactive and container_spec.tty:
                return redirect("containers:terminal", container_id)
            return redirect("containers:detail", container_id)
    status = 400 if data is not None else 200
    context = {**_command_lines(form), "local_images": local_image_tags(request.user)}
    return render(request, "containers/new.html", context, status=status)


def _pull_then_create(
    request: HttpRequest, container_spec: ContainerSpec, run: bool
) -> HttpResponse:
    """As `docker run` does for a missing image: pull it (the worker), then create the container."""
    form_data = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    then_create = {"form": form_data, "run": run}
    job = pulls.request_pull(
        request.user, parse_reference(container_spec.image), then_create=then_create
    )
    messages.info(
        request,
        _("%(image)s is not here yet: pulling it first, then the container is created.")
        % {"image": container_spec.image},
    )
    return redirect("images:pull_job", job.pk)


@require_POST
def container_command_line(request: HttpRequest) -> HttpResponse:
    """The equivalent command lines for what the form holds so far (htmx, as the user types)."""
    form = CreateContainerForm(request.POST)
    return render(request, "containers/new.html#command_lines", _command_lines(form))


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
