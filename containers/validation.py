"""Input rules the engine applies, checked before any engine call so mistakes read clearly."""

import re

from django.utils.translation import gettext as _

from dashboard.engine.errors import BadParameter

CONTAINER_NAME = re.compile(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
MAX_NAME_LENGTH = 128


def validate_container_name(name: str) -> str:
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise BadParameter(
            _("A container name is at most %(count)s characters.") % {"count": MAX_NAME_LENGTH}
        )
    if not CONTAINER_NAME.match(name):
        raise BadParameter(
            _(
                "Invalid container name %(name)s: use letters, digits, and _ . - "
                "(at least two characters, starting with a letter or digit)."
            )
            % {"name": repr(name)}
        )
    return name.lstrip("/")
