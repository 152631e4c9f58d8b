"""Whether a class can run before it opens: every image it uses must be on each engine its
sessions may go to, or be pullable there, so that no learner meets a step that cannot be done
(a lab whose image needs Docker Hub, on a lab server without the internet)."""

from django.utils.translation import gettext as _

from dashboard.engine import fanout
from dashboard.engine import images as engine_images
from dashboard.engine.errors import EngineError, NotFound
from dashboard.engine.registry import LOCAL
from dashboard.models import Team
from dashboard.notation.reference import InvalidReference, parse_reference
from dashboard.policy import registry_guard
from labs.template import LabTemplate

ASK_SECONDS = 10  # the registry's answer comes through the engine: allow for a slow one


def engines_used(template: LabTemplate, team: Team) -> list[str]:
    """Where the class's sessions may run: the team's engines; the local one alone when the
    lab has a workstation (its socket is a file on this host)."""
    if any(service.workstation for service in template.services):
        return [name for name in team.engine_names if name == LOCAL]
    return list(team.engine_names)


def missing_image_refusal(template: LabTemplate, team: Team, values: dict[str, str]) -> str | None:
    """Why the class cannot open: an image that is neither on an engine nor pullable there,
    with the engine's reason; None when every engine that answers can run it. An engine that
    does not answer is passed over, as placement passes it over."""
    # An image named after each learner (``${learner}``) is checked as each session starts.
    images = sorted(template.shared_images(values))
    for image in images:
        try:
            registry_guard.check_registry(parse_reference(image).domain)
        except (registry_guard.ForbiddenRegistry, InvalidReference) as refusal:
            return _("%(image)s cannot be pulled: %(reason)s") % {
                "image": image,
                "reason": refusal.message,
            }
    if not images:
        return None
    for answer in fanout.on_each(
        engines_used(template, team), lambda: _unavailable(images), ASK_SECONDS
    ):
        if answer.value:
            image, reason = answer.value
            return _(
                "%(image)s is not on engine %(engine)s, and the engine cannot pull it: "
                "%(reason)s. Push it to a registry the engine reaches, or choose another image."
            ) % {"image": image, "engine": answer.engine, "reason": reason}
    return None


def _unavailable(images: list[str]) -> tuple[str, str] | None:
    """The first of ``images`` the current engine neither holds nor can pull, and why."""
    for image in images:
        try:
            engine_images.inspect_image(image)
            continue
        except NotFound:
            pass
        try:
            engine_images.inspect_distribution(image)
        except EngineError as exc:
            return image, exc.message
    return None
