"""Input rules the engine applies, checked before any engine call so mistakes read clearly."""

import re

from django.utils.translation import gettext as _

from dashboard.engine import BadParameter

CONTAINER_NAME = re.compile(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")


def validate_container_name(name: str) -> str:
    name = name.strip()
    if not CONTAINER_NAME.match(name):
        raise BadParameter(
            _(
                "Invalid container name %(name)s: use letters, digits, and _ . - "
                "(at least two characters, starting with a letter or digit)."
            )
            % {"name": repr(name)}
        )
    return name.lstrip("/")
