"""Swarm, on a manager engine: nodes, services and tasks (`docker node ls`, `docker service
ls/ps`); administrators scale, update and remove services and drain nodes; services are created
through the policy gate, like containers."""

import shlex

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access.roles import grants_for
from dashboard.access.services import access_service, visible_services
from dashboard.actions import audit
from dashboard.engine import swarm as engine_swarm
from dashboard.engine.errors import Denied, EngineError, NotFound
from dashboard.notation.reference import InvalidReference, parse_reference
from dashboard.policy.refusals import PolicyRefusal
from dashboard.policy.services import create_service
from swarm.forms import ServiceForm

AVAILABILITY = ("active", "pause", "drain")


def _manager() -> dict:
    state = engine_swarm.swarm_state()
    if not state.get("ControlAvailable"):
        raise NotFound(_("This engine is not a Swarm manager."))
    return state


def _administrators_only(request: HttpRequest) -> None:
    if not grants_for(request.user).admin:
        raise Denied(_("Only administrators do this."))


def swarm_overview(request: HttpRequest) -> HttpResponse:
    _manager()
    services = visible_services(request.user)
    mine = {s["ID"] for s in services}
    tasks = [t for t in engine_swarm.list_tasks() if t.get("ServiceID") in mine]
    admin = grants_for(request.user).admin
    context = {
        "nodes": engine_swarm.list_nodes() if admin else [],
        "services": services,
        "tasks": tasks,
        "admin": admin,
        "availability": AVAILABILITY,
    }
    return render(request, "swarm/overview.html", context)


@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest) -> HttpResponse:
    _manager()
    form = ServiceForm.for_user(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        command = shlex.join(
            [
                "docker",
                "service",
                "create",
                "--name",
                form.cleaned_data["name"],
                "--replicas",
                str(form.cleaned_data["replicas"]),
                form.cleaned_data["image"],
                *form.cleaned_data["command"],
            ]
        )
        try:
            service_id = create_service(request.user, form.team_id(), form.parameters(), command)
        except PolicyRefusal as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        except EngineError as error:
            form.add_error(None, error.message)
        else:
            audit.record(
                request.user,
                "service-create",
                target_kind="service",
                target_id=service_id,
                target_name=form.cleaned_data["name"],
                command=command,
                team_id=form.team_id(),
            )
            messages.success(
                request,
                _("Created service %(name)s — %(command)s")
                % {"name": form.cleaned_data["name"], "command": command},
            )
            return redirect("swarm:overview")
    status = 400 if request.method == "POST" else 200
    return render(request, "swarm/new.html", {"form": form}, status=status)


@require_POST
def service_action(request: HttpRequest, ref: str) -> HttpResponse:
    """Scale (`docker service scale`), update the image, or remove; administrators only."""
    _administrators_only(request)
    service = access_service(request.user, ref)
    name = service["Spec"]["Name"]
    action = request.POST.get("action", "")
    if action == "scale":
        replicas = request.POST.get("replicas", "")
        if not (replicas.isascii() and replicas.isdecimal() and int(replicas) <= 1000):
            raise PolicyRefusal("replicas", _("Use a number of replicas from 0 to 1000."))
        engine_swarm.update_service(service, mode={"replicated": {"Replicas": int(replicas)}})
        command = shlex.join(["docker", "service", "scale", f"{name}={replicas}"])
    elif action == "image":
        try:
            image = parse_reference(request.POST.get("image", "")).familiar
        except InvalidReference as exc:
            raise PolicyRefusal("image", exc.message) from None
        engine_swarm.update_service(service, task_template={"ContainerSpec": {"Image": image}})
        command = shlex.join(["docker", "service", "update", "--image", image, name])
    elif action == "remove":
        engine_swarm.remove_service(service["ID"])
        command = shlex.join(["docker", "service", "rm", name])
    else:
        raise PolicyRefusal("action", _("Unknown action: %(action)s") % {"action": action})
    audit.record(
        request.user,
        f"service-{action}",
        target_kind="service",
        target_id=service["ID"],
        target_name=name,
        command=command,
    )
    messages.success(request, command)
    return redirect("swarm:overview")


@require_POST
def node_availability(request: HttpRequest, node_id: str) -> HttpResponse:
    _administrators_only(request)
    _manager()
    availability = request.POST.get("availability", "")
    node = next((n for n in engine_swarm.list_nodes() if n["ID"] == node_id), None)
    if node is None or availability not in AVAILABILITY:
        raise NotFound(_("No such node: %(ref)s") % {"ref": node_id})
    engine_swarm.set_node_availability(node, availability)
    command = shlex.join(["docker", "node", "update", "--availability", availability, node_id])
    audit.record(
        request.user,
        "node-availability",
        target_kind="node",
        target_id=node_id,
        target_name=node["Description"].get("Hostname", ""),
        command=command,
    )
    messages.success(request, command)
    return redirect("swarm:overview")
