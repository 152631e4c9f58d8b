"""Names as the docker CLI shows them."""

from typing import Any


def container_name(container: dict[str, Any]) -> str:
    """A container's name without the engine's leading slash: inspect data's ``Name``, or the
    first of a list summary's ``Names``."""
    name = container.get("Name") or (container.get("Names") or ["?"])[0]
    return name.lstrip("/")
