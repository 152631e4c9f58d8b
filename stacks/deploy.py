"""`docker-compose up -d`, `stop`, `restart` and `down` of a stack. Every network, volume and
container goes through the policy gate as the user's own create; a service the gate refuses
refuses the whole deploy, and what this deploy had made is removed again, so a refused stack
leaves nothing behind. Each step is in the audit log."""

import contextlib
import shlex
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.access.containers import access_container
from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.actions import networks as network_actions
from dashboard.actions import volumes as volume_actions
from dashboard.engine import containers as engine_containers
from dashboard.engine import images as engine_images
from dashboard.engine import networks as engine_networks
from dashboard.engine import system as engine_system
from dashboard.engine import volumes as engine_volumes
from dashboard.engine.errors import BadParameter, Conflict, EngineError, NotFound
from dashboard.interfaces import pulls
from dashboard.notation.compose_project import PROJECT_LABEL, Project, Service
from dashboard.notation.names import container_name
from dashboard.notation.reference import InvalidReference, parse_reference
from dashboard.policy import containers as container_policy
from dashboard.policy import networks as network_policy
from dashboard.policy import ownership
from dashboard.policy import volumes as volume_policy
from dashboard.policy.ownership import Kind
from stacks.models import Stack
from stacks.plan import HASH_LABEL, NETWORK_LABEL, VOLUME_LABEL, command_line, object_labels
from stacks.plan import create_parameters as parameters_of


@dataclass(frozen=True)
class Replaced:
    """A container a redeploy recreates: stopped and renamed aside until its successor runs."""

    container_id: str
    name: str
    was_running: bool


@dataclass
class Made:
    """What one deploy made, removed again if a later step fails (and the containers it set
    aside, put back)."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    replaced: list[Replaced] = field(default_factory=list)


def containers_of(stack: Stack) -> list[dict[str, Any]]:
    """The stack's containers: labelled with its project, and in Dockboard's ownership record
    (a label anyone can write: the compose CLI, another installation with a stack of the same
    name). Each is checked by the gatekeeper again before anything is done to it."""
    found = engine_containers.list_containers([f"{PROJECT_LABEL}={stack.name}"])
    recorded = ownership.owners(Kind.CONTAINER, [container["Id"] for container in found])
    return [container for container in found if container["Id"] in recorded]


def create(user: User, stack: Stack, project: Project) -> str:
    """A new stack: its record, then its first deploy; neither stays if the deploy fails."""
    try:
        with transaction.atomic():
            stack.save()
    except IntegrityError:
        message = _("A stack named %(name)s is on this engine.") % {"name": stack.name}
        raise Conflict(message) from None
    try:
        return up(user, stack, project)
    except EngineError:
        stack.delete()
        raise


def up(user: User, stack: Stack, project: Project) -> str:
    """Make what is missing and recreate what changed; the message to show."""
    command = command_line(stack.name)
    api_version = engine_system.api_version()
    current = {container_name(c): c for c in containers_of(stack)}
    made = Made()
    with audit.audited(user, "stack-up", command, **_target(stack)):
        try:
            _make_objects(user, stack, project, made)
            for service in project.services:
                _deploy_service(user, stack, project, service, current, made, api_version)
        except EngineError as error:
            _undo(made)
            error.message = _refused_message(error, getattr(error, "service", ""))
            error.args = (error.message,)
            raise
        for replaced in made.replaced:  # their successors run: now they go
            _remove_container(user, replaced.container_id)
    stack.deployed_at = timezone.now()
    stack.save()
    return _("Stack %(name)s is up: %(count)d services.") % {
        "name": stack.name,
        "count": len(project.services),
    }


def _refused_message(error: EngineError, service: str) -> str:
    if not service:
        return error.message
    return _("Service %(service)s: %(reason)s Nothing was made.") % {
        "service": service,
        "reason": error.message,
    }


def _make_objects(user: User, stack: Stack, project: Project, made: Made) -> None:
    for network in project.networks:
        if network.external or _exists(engine_networks.inspect_network, network.name):
            continue
        labels = object_labels(project, NETWORK_LABEL, network)
        network_policy.create_network(user, stack.team, network.name, asked_labels=labels)
        made.networks.append(network.name)
    for volume in project.volumes:
        if volume.external or _exists(engine_volumes.inspect_volume, volume.name):
            continue
        labels = object_labels(project, VOLUME_LABEL, volume)
        volume_policy.create_volume(user, stack.team, volume.name, labels, {})
        made.volumes.append(volume.name)


def _deploy_service(
    user: User,
    stack: Stack,
    project: Project,
    service: Service,
    current: dict[str, dict[str, Any]],
    made: Made,
    api_version: str,
) -> None:
    parameters = parameters_of(project, service, api_version)
    found = current.get(service.container_name)
    try:
        if found and not outdated(found, parameters):
            if found["State"] != "running":
                engine_containers.container_action(
                    access_container(user, found["Id"], change=True)["Id"], "start"
                )
            return
        if found:  # its configuration changed: recreated, as `up` does
            made.replaced.append(_set_aside(user, found))
        line = command_line(stack.name, f"up -d --no-deps {shlex.quote(service.name)}")
        team_id = stack.team_id
        container_id = container_policy.create_container(user, team_id, parameters, line)
        made.containers.append(container_id)
        for attachment in service.networks[1:]:
            network = engine_networks.inspect_network(project.network_named(attachment.network))
            container = engine_containers.inspect_container(container_id)
            checked = network_policy.connection(user, network, container, attachment.aliases)
            engine_networks.connect_container(checked)
        engine_containers.container_action(container_id, "start")
        audit.record(
            user,
            "create",
            target_kind="container",
            target_id=container_id,
            target_name=service.container_name,
            command=line,
            team_id=team_id,
        )
    except EngineError as error:
        error.service = service.name
        raise


def outdated(found: dict[str, Any], parameters: dict[str, Any]) -> str:
    """Why the container is not what the service asks for now ("" when it is): its settings
    changed, or its image's reference names another image now (a pull brought a new one)."""
    if found["Labels"].get(HASH_LABEL) != parameters["labels"][HASH_LABEL]:
        return "settings"
    try:
        image_id = engine_images.inspect_image(parameters["image"])["Id"]
    except NotFound:
        return ""  # the create says the image is missing
    return "image" if found.get("ImageID") != image_id else ""


def pull(user: User, stack: Stack, project: Project) -> str:
    """`docker-compose pull`: each service's image, queued for the worker through the gate
    (the team's allow-list); Up then recreates the containers whose image changed."""
    images = sorted({service.image for service in project.services})
    command = command_line(stack.name, "pull")
    with audit.audited(user, "stack-pull", command, **_target(stack)):
        for image in images:
            try:
                pulls.request_pull(user, parse_reference(image))
            except InvalidReference as error:
                raise BadParameter(str(error)) from None
    return _("Pulling %(images)s: Up recreates what a new image changes.") % {
        "images": ", ".join(images)
    }


def _set_aside(user: User, found: dict[str, Any]) -> Replaced:
    """Stop the container and rename it out of its successor's way, as docker-compose 1.29
    does before it recreates one (its successor then takes the name and the ports)."""
    container = access_container(user, found["Id"], change=True)
    replaced = Replaced(container["Id"], container_name(container), found["State"] == "running")
    if replaced.was_running:
        engine_containers.container_action(replaced.container_id, "stop")
    engine_containers.rename_container(
        replaced.container_id, f"{replaced.container_id[:12]}_{replaced.name}"
    )
    return replaced


def _exists(inspect: Any, name: str) -> bool:
    try:
        inspect(name)
    except NotFound:
        return False
    return True


def _undo(made: Made) -> None:
    """Remove what a failed deploy made, newest first; a step that fails is passed over."""
    for container_id in reversed(made.containers):
        _quietly(engine_containers.remove_container, container_id, force=True, volumes=True)
    for replaced in made.replaced:
        _quietly(engine_containers.rename_container, replaced.container_id, replaced.name)
        if replaced.was_running:
            _quietly(engine_containers.container_action, replaced.container_id, "start")
    for name in reversed(made.networks):
        _quietly(engine_networks.remove_network, name)
    for name in reversed(made.volumes):
        _quietly(engine_volumes.remove_volume, name)


def _quietly(remove: Any, *args: Any, **kwargs: Any) -> None:
    with contextlib.suppress(EngineError):
        remove(*args, **kwargs)


def lifecycle(user: User, stack: Stack, action: str) -> str:
    """`docker-compose stop` or `restart`: each of the stack's containers the user may change."""
    command = command_line(stack.name, action)
    with audit.audited(user, f"stack-{action}", command, **_target(stack)):
        containers = containers_of(stack)
        for found in containers:
            container = access_container(user, found["Id"], change=True)
            engine_containers.container_action(container["Id"], action)
    message = _("Stopped stack %(name)s.") if action == "stop" else _("Restarted stack %(name)s.")
    return message % {"name": stack.name}


def down(user: User, stack: Stack, project: Project, *, volumes: bool) -> str:
    """`docker-compose down [-v]`: its containers and networks removed (its volumes too when
    asked), then its record."""
    command = command_line(stack.name, "down -v" if volumes else "down")
    with audit.audited(user, "stack-down", command, **_target(stack)):
        for found in containers_of(stack):
            _remove_container(user, found["Id"])
        for network in project.networks:
            if not network.external and _exists(engine_networks.inspect_network, network.name):
                network_actions.remove(user, network.name)
        if volumes:
            for volume in project.volumes:
                if not volume.external and _exists(engine_volumes.inspect_volume, volume.name):
                    volume_actions.remove(user, volume.name)
        stack.delete()
    return _("Removed stack %(name)s.") % {"name": stack.name}


def _remove_container(user: User, container_id: str) -> None:
    container = access_container(user, container_id, change=True)
    name = container_name(container)
    command = shlex.join(["docker", "rm", "-f", name])
    with audit.audited(
        user,
        "remove",
        command,
        target_kind="container",
        target_id=container["Id"],
        target_name=name,
        team_id=audit.team_of(Kind.CONTAINER, container["Id"]),
    ):
        engine_containers.remove_container(container["Id"], force=True, volumes=False)


def _target(stack: Stack) -> dict[str, Any]:
    return {"target_kind": "stack", "target_name": stack.name, "team_id": stack.team_id}
