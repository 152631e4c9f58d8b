from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_http_methods, require_POST

from containers import actions, commit, create, list_page, logs, recreate
from containers.create_form import CreateContainerForm
from containers.listing import container_rows
from containers.signals import FOLLOW_UP_KIND
from containers.spec import ContainerSpec, SpecError
from containers.tabs import TABS
from dashboard.access.containers import access_container
from dashboard.access.images import local_image_tags
from dashboard.access.networks import usable_network_names
from dashboard.access.volumes import usable_volume_names
from dashboard.actions import commits
from dashboard.engine.errors import Denied, EngineError, NotFound
from dashboard.interfaces import pulls
from dashboard.notation.names import container_name
from dashboard.notation.reference import parse_reference
from dashboard.policy.refusals import PolicyRefusal


@require_http_methods(["GET", "POST"])
def container_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _perform_each(request, request.POST.getlist("ids"))
    context = list_page.table_context(request.user, request.GET, set(request.GET.getlist("ids")))
    template = "containers/list.html#table" if request.htmx else "containers/list.html"
    return render(request, template, context)


def _back(request: HttpRequest) -> HttpResponse:
    """To the page the action was sent from: a path of this site (never a view's name, which
    ``redirect`` would look up), else the list."""
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}
    ):
        target = reverse("containers:list")
    return HttpResponseRedirect(target)


def _perform_each(request: HttpRequest, refs: list[str], *, single: bool = False) -> HttpResponse:
    """Each container's outcome, success or failure, becomes a message on the page returned to;
    an action on one container that is not allowed or not found answers 403 or 404 itself."""
    name = request.POST.get("action", "")
    action = actions.ACTIONS.get(name)
    if action is None:
        messages.error(request, _("Unknown action: %(action)s") % {"action": name})
        return _back(request)
    for ref in refs:
        try:
            messages.success(request, action(request.user, ref, request.POST))
        except EngineError as exc:
            if single and isinstance(exc, Denied | NotFound):
                raise
            messages.error(request, exc.message)
    return _back(request)


@require_POST
def container_action(request: HttpRequest, ref: str) -> HttpResponse:
    return _perform_each(request, [ref], single=True)


@require_http_methods(["GET", "POST"])
def container_prune(request: HttpRequest) -> HttpResponse:
    """`docker container prune`: first what would go, then the real thing."""
    label = (request.POST if request.method == "POST" else request.GET).get("label", "").strip()
    if request.method == "POST":
        deleted, reclaimed, commands = actions.prune(request.user, label)
        context = {"deleted": deleted, "reclaimed": reclaimed, "commands": commands, "done": True}
    else:
        stopped = actions.prunable(request.user, label)
        context = {"stopped": container_rows(stopped), "label": label}
    return render(request, "containers/prune.html", context)


def _command_lines(form: CreateContainerForm) -> dict[str, Any]:
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
    initial = {"image": request.GET.get("image", "")}
    form = CreateContainerForm.for_user(request.user, data, initial=initial)
    if data is not None and (container_spec := form.to_spec()):
        run = "run" in request.POST
        try:
            container_id = create.create(
                request.user, container_spec, team_id=form.team_id(), run=run
            )
        except create.MissingImage:
            return _pull_then_create(request, form, container_spec, run)
        except SpecError as exc:
            form.add_error(exc.field, exc.message)
        else:
            done = _("Ran %(id)s (%(short)s)") if run else _("Created %(id)s (%(short)s)")
            shown = done % {"id": container_id, "short": container_id[:12]}
            messages.success(request, f"{shown} — {container_spec.command_line(run)}")
            return redirect(create.destination(container_id, container_spec, run))
    status = 400 if data is not None else 200
    return _new_page(request, form, status)


def _new_page(request: HttpRequest, form: CreateContainerForm, status: int) -> HttpResponse:
    context = {
        **_command_lines(form),
        "local_images": local_image_tags(request.user),
        "own_volumes": usable_volume_names(request.user),
        "own_networks": usable_network_names(request.user),
    }
    return render(request, "containers/new.html", context, status=status)


def _pull_then_create(
    request: HttpRequest, form: CreateContainerForm, container_spec: ContainerSpec, run: bool
) -> HttpResponse:
    """As `docker run` does for a missing image: pull it (the worker), then create the container.
    The form's own fields are kept for the worker (nothing else the request carried), which
    checks them again, through the gate, with the user's rights as they are then."""
    form_data = {name: form.data[name] for name in form.fields if name in form.data}
    follow_up = {
        "kind": FOLLOW_UP_KIND,
        "form": form_data,
        "run": run,
        "command": container_spec.command_line(run),
    }
    try:
        job = pulls.request_pull(
            request.user, parse_reference(container_spec.image), follow_up=follow_up
        )
    except PolicyRefusal as refusal:
        form.add_error("image", refusal.message)
        return _new_page(request, form, 400)
    messages.info(
        request,
        _("%(image)s is not here yet: pulling it first, then the container is created.")
        % {"image": container_spec.image},
    )
    return redirect("images:pull_job", job.pk)


@require_POST
def container_command_line(request: HttpRequest) -> HttpResponse:
    """The equivalent command lines for what the form holds so far (htmx, as the user types)."""
    form = CreateContainerForm.for_user(request.user, request.POST)
    return render(request, "containers/new.html#command_lines", _command_lines(form))


@csp_override({**settings.SECURE_CSP, "style-src": ["'self'", "'unsafe-inline'"]})
def container_terminal(request: HttpRequest, ref: str) -> HttpResponse:
    """xterm.js attached to the container (or a new shell in it); xterm.js needs inline styles."""
    container = access_container(request.user, ref)
    context = {"c": container, "watch": request.GET.get("watch") == "1"}
    return render(request, "containers/terminal.html", context)


@require_http_methods(["GET", "POST"])
def container_commit(request: HttpRequest, ref: str) -> HttpResponse:
    """`docker commit`: the form, then the new image's page (its history shows the new layer)."""
    container = access_container(request.user, ref)
    name = container_name(container)
    data = request.POST if request.method == "POST" else None
    form = commit.CommitForm(data, initial={"author": request.user.get_username()})
    if data is not None and form.is_valid():
        try:
            image_id, message = commits.commit_to_image(
                request.user, container["Id"], form.cleaned_data
            )
        except EngineError as error:
            form.add_error(getattr(error, "field", "__all__"), error.message)
        else:
            messages.success(request, message)
            return redirect("images:detail", image_id)
    context = {"c": container, "form": form, "command": f"docker commit {name} REPOSITORY[:TAG]"}
    return render(request, "containers/commit.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def container_recreate(request: HttpRequest, ref: str) -> HttpResponse:
    """Make the container again from the image its reference names now: first what it does,
    as CLI lines; then the new container's page, or the old one's with the refusal."""
    if request.method == "POST":
        try:
            new_id = recreate.recreate(request.user, ref)
        except SpecError as refusal:
            messages.error(request, refusal.message)
            return redirect("containers:detail", ref)
        messages.success(request, _("Recreated it from the image its reference names now."))
        return redirect("containers:detail", new_id)
    found = recreate.plan(request.user, ref)
    return render(request, "containers/recreate.html", {"plan": found, "c": found.container})


def container_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """The facts from one inspect; a tab named in ``?tab=`` is rendered in place too."""
    container = access_container(request.user, ref)
    tab = request.GET.get("tab")
    context = {
        "c": container,
        "tab": tab if tab in TABS else None,
        "newer_image": recreate.newer_image(container),
    }
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
    response = StreamingHttpResponse(
        logs.all_lines(container), content_type="text/plain; charset=utf-8"
    )
    name = container_name(container)
    response["Content-Disposition"] = f'attachment; filename="{name}.log"'
    return response
