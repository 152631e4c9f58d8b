"""`docker volume ls / create / inspect / rm / prune`, each page with its command line."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access.containers import visible_containers
from dashboard.access.roles import Rights, grants_for
from dashboard.access.volumes import access_volume_with_rights, visible_volumes
from dashboard.actions import volumes as actions
from dashboard.engine import volumes as engine_volumes
from dashboard.engine.errors import EngineError
from dashboard.models import Team
from dashboard.notation.names import container_name
from dashboard.web.object_actions import perform
from dashboard.web.paging import named_page
from volumes.file_views import mounts
from volumes.forms import VolumeForm


def volume_list(request: HttpRequest) -> HttpResponse:
    """`docker volume ls`: one list call, the containers from one more; sizes (`docker system df
    -v`, which walks every volume) only when asked. A page of rows is rendered, as for
    containers."""
    page, query = named_page(request, visible_volumes(request.user))
    users = _users_by_volume(request)
    sizes = engine_volumes.volume_sizes() if request.GET.get("sizes") == "on" else None
    page.object_list = [
        {
            "name": volume["Name"],
            "driver": volume["Driver"],
            "mountpoint": volume["Mountpoint"],
            "labels": "\n".join(f"{k}={v}" for k, v in (volume.get("Labels") or {}).items()),
            "used_by": ", ".join(users.get(volume["Name"], [])),
            "size": (sizes or {}).get(volume["Name"], {}).get("Size"),
        }
        for volume in page.object_list
    ]
    context = {"page": page, "query": query, "sizes": sizes is not None, "params": request.GET}
    return render(request, "volumes/list.html", context)


def _users_by_volume(request: HttpRequest) -> dict[str, list[str]]:
    users: dict[str, list[str]] = {}
    for container in visible_containers(request.user):
        for mount in container.get("Mounts") or []:
            if mount.get("Type") == "volume" and mount.get("Name"):
                name = container_name(container)
                users.setdefault(mount["Name"], []).append(name)
    return users


@require_http_methods(["GET", "POST"])
def volume_new(request: HttpRequest) -> HttpResponse:
    form = VolumeForm.for_user(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = Team.objects.filter(pk=form.team_id()).first()
        try:
            message = actions.create(
                request.user, team, data["name"], data["labels"], data["driver_options"]
            )
        except EngineError as error:
            form.add_error(getattr(error, "field", None) or "name", error.message)
        else:
            messages.success(request, message)
            return redirect("volumes:detail", data["name"])
    context = {"form": form, "admin": grants_for(request.user).admin, **_command(form)}
    return render(request, "volumes/new.html", context, status=400 if form.errors else 200)


def _command(form: VolumeForm) -> dict[str, Any]:
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    name = data.get("name") or "NAME"
    return {"command": actions.create_command(name, data.get("labels") or {}, {})}


def volume_detail(request: HttpRequest, name: str) -> HttpResponse:
    """`docker volume inspect`, and the containers that mount it."""
    volume, rights = access_volume_with_rights(request.user, name)
    context = {
        "volume": volume,
        "mounts": mounts(request, name),
        "changeable": rights is Rights.WRITE,
    }
    return render(request, "volumes/detail.html", context)


@require_POST
def volume_action(request: HttpRequest, name: str) -> HttpResponse:
    return perform(request, {"remove": lambda: _remove(request, name)})


def _remove(request: HttpRequest, name: str) -> HttpResponse:
    try:
        messages.success(request, actions.remove(request.user, name))
    except EngineError as error:
        messages.error(request, error.message)
        return redirect("volumes:detail", name) if error.status == 409 else redirect("volumes:list")
    return redirect("volumes:list")


@require_http_methods(["GET", "POST"])
def volume_prune(request: HttpRequest) -> HttpResponse:
    """`docker volume prune`: first what would go, then exactly those (each re-checked)."""
    if request.method == "POST":
        removed, kept = actions.prune(request.user, request.POST.getlist("name"))
        context = {"done": True, "removed": removed, "kept": kept}
        return render(request, "volumes/prune.html", context)
    return render(request, "volumes/prune.html", {"unused": actions.unused(request.user)})
