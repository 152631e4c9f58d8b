"""Swarm, on a manager engine: nodes, services and tasks (`docker node ls`, `docker service
ls/ps`); administrators scale, update and remove services and drain nodes; services are created
through the policy gate, like containers."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access.roles import grants_for
from dashboard.access.services import visible_services
from dashboard.actions.done import done
from dashboard.engine import swarm as engine_swarm
from dashboard.engine.errors import BadParameter, EngineError, NotFound
from dashboard.notation.reference import InvalidReference, parse_reference
from dashboard.policy.refusals import PolicyRefusal
from dashboard.web.object_actions import perform
from swarm import actions
from swarm.forms import ServiceForm

AVAILABILITY = ("active", "pause", "drain")


def _manager() -> dict:
    state = engine_swarm.swarm_state()
    if not state.get("ControlAvailable"):
        raise NotFound(_("This engine is not a Swarm manager."))
    return state


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
        data = form.cleaned_data
        command = actions.create_command(
            data["name"], data["replicas"], data["image"], data["command"]
        )
        try:
            actions.create(request.user, form.team_id(), data["name"], form.parameters(), command)
        except PolicyRefusal as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        except EngineError as error:
            form.add_error(None, error.message)
        else:
            message = _("Created service %(name)s") % {"name": data["name"]}
            messages.success(request, done(message, command))
            return redirect("swarm:overview")
    status = 400 if request.method == "POST" else 200
    return render(request, "swarm/new.html", {"form": form}, status=status)


@require_POST
def service_action(request: HttpRequest, ref: str) -> HttpResponse:
    """Scale (`docker service scale`), update the image, or remove; administrators only."""
    return perform(
        request,
        {
            "scale": lambda: _done(request, actions.scale(request.user, ref, _replicas(request))),
            "image": lambda: _done(
                request, actions.update_image(request.user, ref, _image(request))
            ),
            "remove": lambda: _done(request, actions.remove(request.user, ref)),
        },
    )


def _replicas(request: HttpRequest) -> int:
    replicas = request.POST.get("replicas", "")
    if not (replicas.isascii() and replicas.isdecimal() and int(replicas) <= 1000):
        raise BadParameter(_("Use a number of replicas from 0 to 1000."))
    return int(replicas)


def _image(request: HttpRequest) -> str:
    try:
        return parse_reference(request.POST.get("image", "")).familiar
    except InvalidReference as exc:
        raise BadParameter(exc.message) from None


def _done(request: HttpRequest, command: str) -> HttpResponse:
    messages.success(request, command)
    return redirect("swarm:overview")


@require_POST
def node_action(request: HttpRequest, node_id: str) -> HttpResponse:
    """`docker node update --availability`: active, pause or drain."""
    _manager()
    return perform(request, {"availability": lambda: _availability(request, node_id)})


def _availability(request: HttpRequest, node_id: str) -> HttpResponse:
    availability = request.POST.get("availability", "")
    if availability not in AVAILABILITY:
        raise NotFound(_("No such node: %(ref)s") % {"ref": node_id})
    return _done(request, actions.set_availability(request.user, node_id, availability))
