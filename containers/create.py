"""`docker create` and `docker run` from a spec, through the policy gate, with failures tied to
the field they concern."""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.translation import gettext as _

from containers.create_form import CreateContainerForm
from containers.spec import ContainerSpec, SpecError
from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.engine import containers as engine_containers
from dashboard.engine import system as engine_system
from dashboard.engine.errors import Conflict, EngineError, NotFound
from dashboard.interfaces.pulls import FollowedUp
from dashboard.policy import containers as container_policy
from dashboard.policy import refusals


class MissingImage(SpecError):
    """The image is not here: `docker run` would pull it first."""


def _field_for(error: EngineError) -> str | None:
    message = error.message.lower()
    if isinstance(error, Conflict) and "already in use" in message:
        return "name"
    if "port is already allocated" in message or "address already in use" in message:
        return "ports"
    if "memory" in message:
        return "memory"
    return None


def create(user: User, spec: ContainerSpec, *, team_id: int | None, run: bool) -> str:
    """The new container's id; on a failed start the container made for it is removed again,
    so the same name can be used once the input is fixed. Raises ``SpecError``."""
    action = "run" if run else "create"
    command = spec.command_line(run)
    parameters = spec.create_parameters(engine_system.api_version())
    try:
        container_id = container_policy.create_container(user, team_id, parameters, command)
    except refusals.PolicyRefusal as refusal:
        raise SpecError(refusal.field, refusal.message) from refusal
    except EngineError as error:
        _record(user, action, team_id, spec, command, error=error)
        raise _spec_error(error) from error
    if run:
        try:
            engine_containers.container_action(container_id, "start")
        except EngineError as error:
            engine_containers.remove_container(container_id, force=True, volumes=True)
            _record(user, action, team_id, spec, command, container_id, error)
            raise _spec_error(error) from error
    _record(user, action, team_id, spec, command, container_id)
    return container_id


def _record(
    user: User,
    action: str,
    team_id: int | None,
    spec: ContainerSpec,
    command: str,
    container_id: str = "",
    error: EngineError | None = None,
) -> None:
    audit.record(
        user,
        action,
        target_kind="container",
        target_id=container_id,
        target_name=spec.name or container_id[:12],
        command=command,
        team_id=team_id,
        outcome=audit.Outcome.ERROR if error else audit.Outcome.OK,
        reason=error.message if error else "",
    )


def _spec_error(error: EngineError) -> SpecError:
    if isinstance(error, NotFound) and "image" in error.message.lower():
        return MissingImage("image", error.message + " " + _("Pull the image first."))
    return SpecError(_field_for(error) or "__all__", error.message)


def destination(container_id: str, spec: ContainerSpec, run: bool) -> str:
    """Where the user goes on to: the terminal of a container run with -i -t, else its page."""
    name = "terminal" if run and spec.interactive and spec.tty else "detail"
    return reverse(f"containers:{name}", args=[container_id])


def create_after_pull(user: User | None, follow_up: dict[str, Any]) -> FollowedUp:
    """The worker's last step of a `docker run` whose image had to be pulled first: the form
    again, through the policy gate again, with the requester's rights as they are now."""
    user = user or AnonymousUser()
    form = CreateContainerForm.for_user(user, follow_up["form"])
    container_spec = form.to_spec()
    run = bool(follow_up.get("run"))
    try:
        if container_spec is None:
            raise SpecError("__all__", "; ".join(str(e) for e in form.errors.values()))
        container_id = create(user, container_spec, team_id=form.team_id(), run=run)
    except SpecError as exc:
        return FollowedUp(error=exc.message)
    return FollowedUp(next_url=destination(container_id, container_spec, run))
