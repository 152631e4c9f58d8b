"""An object's actions have one URL, ``<ref>/actions/``, and the POST's ``action`` names which,
as a page's buttons send it (``<button name="action" value="remove">``): the container's start
and stop, a network's connect and remove, an image's tag, a pull's cancel."""

from collections.abc import Callable, Mapping

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from dashboard.engine.errors import BadParameter


def perform(
    request: HttpRequest, handlers: Mapping[str, Callable[[], HttpResponse]]
) -> HttpResponse:
    """The answer of the handler the POST's ``action`` names; an unknown one is a bad request."""
    action = request.POST.get("action", "")
    if action not in handlers:
        raise BadParameter(_("Unknown action: %(action)s") % {"action": action})
    return handlers[action]()
