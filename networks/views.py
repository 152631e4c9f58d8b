"""`docker network ls / create / inspect / connect / disconnect / rm / prune`, each page with
its command line."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access.containers import visible_containers_with_rights
from dashboard.access.networks import access_network_with_rights, visible_networks
from dashboard.access.roles import Rights
from dashboard.actions import networks as actions
from dashboard.engine.errors import EngineError
from dashboard.models import Team
from dashboard.web.object_actions import perform
from dashboard.web.paging import named_page
from networks.forms import NetworkForm


def network_list(request: HttpRequest) -> HttpResponse:
    """`docker network ls`: one list call."""
    page, query = named_page(request, visible_networks(request.user))
    context = {"page": page, "query": query, "params": request.GET}
    return render(request, "networks/list.html", context)


@require_http_methods(["GET", "POST"])
def network_new(request: HttpRequest) -> HttpResponse:
    form = NetworkForm.for_user(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = Team.objects.filter(pk=form.team_id()).first()
        asked = {
            "subnet": data["subnet"],
            "options": data["options"],
            "asked_labels": data["labels"],
        }
        try:
            network_id, message = actions.create(request.user, team, data["name"], **asked)
        except EngineError as error:
            form.add_error(getattr(error, "field", None) or "name", error.message)
        else:
            messages.success(request, message)
            return redirect("networks:detail", network_id)
    context = {"form": form, "command": _command(form)}
    return render(request, "networks/new.html", context, status=400 if form.errors else 200)


def _command(form: NetworkForm) -> str:
    data = getattr(form, "cleaned_data", {})
    return actions.create_command(
        data.get("name") or "NAME", data.get("subnet") or "", {}, data.get("labels") or {}
    )


def network_detail(request: HttpRequest, ref: str) -> HttpResponse:
    """`docker network inspect`, with the containers attached and a way to attach more."""
    network, rights = access_network_with_rights(request.user, ref)
    changeable = rights is Rights.WRITE
    containers, rights = visible_containers_with_rights(request.user)
    # A shared network (`bridge`) holds everyone's containers: the user's alone are listed.
    seen = {c["Id"] for c in containers}
    attached = {k: v for k, v in (network.get("Containers") or {}).items() if k in seen}
    candidates = [
        c for c in containers if c["Id"] not in attached and rights[c["Id"]] is Rights.WRITE
    ]
    context = {
        "network": network,
        "attached": attached,
        "changeable": changeable,
        "candidates": candidates,
    }
    return render(request, "networks/detail.html", context)


@require_POST
def network_action(request: HttpRequest, ref: str) -> HttpResponse:
    """Connect or disconnect a container (``container``), or remove the network."""
    container = request.POST.get("container", "")
    return perform(
        request,
        {
            "connect": lambda: _act(
                request, ref, lambda: actions.connect(request.user, ref, container)
            ),
            "disconnect": lambda: _act(
                request, ref, lambda: actions.disconnect(request.user, ref, container)
            ),
            "remove": lambda: _remove(request, ref),
        },
    )


def _remove(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        messages.success(request, actions.remove(request.user, ref))
    except EngineError as error:
        messages.error(request, error.message)
        return (
            redirect("networks:detail", ref) if error.status == 409 else redirect("networks:list")
        )
    return redirect("networks:list")


@require_http_methods(["GET", "POST"])
def network_prune(request: HttpRequest) -> HttpResponse:
    """`docker network prune`: first what would go, then exactly those (each re-checked)."""
    if request.method == "POST":
        removed, kept = actions.prune(request.user, request.POST.getlist("name"))
        return render(
            request, "networks/prune.html", {"done": True, "removed": removed, "kept": kept}
        )
    return render(request, "networks/prune.html", {"unused": actions.unused(request.user)})


def _act(request: HttpRequest, ref: str, action: Callable[[], str]) -> HttpResponse:
    try:
        messages.success(request, action())
    except EngineError as error:
        messages.error(request, error.message)
    return redirect("networks:detail", ref)
