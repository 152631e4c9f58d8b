"""Names as the docker CLI shows them."""

import re
from typing import Any

# A name a container answers to on a network (`--network-alias`, compose's service names).
NETWORK_ALIAS = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$", re.ASCII)


def container_name(container: dict[str, Any]) -> str:
    """A container's name without the engine's leading slash: inspect data's ``Name``, or the
    first of a list summary's ``Names``."""
    name = container.get("Name") or (container.get("Names") or ["?"])[0]
    return name.lstrip("/")
