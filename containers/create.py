"""`docker create` and `docker run` from a spec, with failures tied to the field they concern."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from containers.spec import ContainerSpec, SpecError
from dashboard import engine
from dashboard.access import User, may_use_host_resources
from dashboard.engine import Conflict, EngineError, NotFound

if TYPE_CHECKING:
    from images.models import PullJob


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


def create(user: User, spec: ContainerSpec, *, run: bool) -> str:
    """The new container's id; on a failed start the container made for it is removed again,
    so the same name can be used once the input is fixed. Raises ``SpecError``."""
    if (any(m.is_bind for m in spec.mounts) or spec.network == "host") and (
        not may_use_host_resources(user)
    ):
        field = "mounts" if any(m.is_bind for m in spec.mounts) else "network"
        raise SpecError(field, _("Only administrators may use host paths or the host network."))
    try:
        container_id = engine.create_container(spec.create_parameters(engine.api_version()))
    except EngineError as error:
        raise _spec_error(error) from error
    if run:
        try:
            engine.container_action(container_id, "start")
        except EngineError as error:
            engine.remove_container(container_id, force=True, volumes=True)
            raise _spec_error(error) from error
    return container_id


def _spec_error(error: EngineError) -> SpecError:
    if isinstance(error, NotFound) and "image" in error.message.lower():
        return MissingImage("image", error.message + " " + _("Pull the image first."))
    return SpecError(_field_for(error) or "__all__", error.message)


def create_after_pull(job: "PullJob") -> None:
    """The worker's last step of a `docker run` whose image had to be pulled first."""
    from containers.create_form import CreateContainerForm

    form = CreateContainerForm(job.then_create["form"])
    container_spec = form.to_spec()
    try:
        if container_spec is None:
            raise SpecError("__all__", "; ".join(str(e) for e in form.errors.values()))
        container_id = create(job.requested_by, container_spec, run=job.then_create["run"])
    except SpecError as exc:
        type(job).objects.filter(pk=job.pk).update(container_error=exc.message)
    else:
        type(job).objects.filter(pk=job.pk).update(container_id=container_id)
