"""Engine labels: the ones Dockboard sets on what it creates, and label selectors as
`docker … prune --filter label=KEY[=VALUE]` reads them."""

from typing import Any

RESERVED_PREFIX = "dockboard."
# Who made an object and in which team, to narrow a list at the engine; rights come from the
# ownership record alone (dashboard.ownership), never from these.
INSTALLATION = "dockboard.installation"  # the installation that made it
OWNER = "dockboard.owner"  # the Dockboard user id that created the container
TEAM = "dockboard.team"  # the team whose policy and quota it was created under
MEMORY = "dockboard.memory"  # its memory limit in bytes, counted by the quotas
NANO_CPUS = "dockboard.nano-cpus"  # its CPU limit in billionths of a CPU, likewise


def has_label(summary: dict[str, Any], selector: str) -> bool:
    """Whether an engine summary carries ``KEY`` (any value) or ``KEY=VALUE``; "" matches all."""
    if not selector:
        return True
    key, has_value, value = selector.partition("=")
    labels = summary.get("Labels") or {}
    return key in labels and (not has_value or labels[key] == value)


def label_filter_args(selector: str) -> list[str]:
    """The CLI's arguments for the same selector."""
    return ["--filter", f"label={selector}"] if selector else []


def is_reserved(key: str) -> bool:
    """Labels only Dockboard sets; compared without case, as a user might try ``Dockboard.x``."""
    return key.strip().lower().startswith(RESERVED_PREFIX)


# A volume's own mark, kept in its record too: the engine knows volumes by name alone, and one
# made again under the name of a recorded one is another.
VOLUME_MARK = "dockboard.volume"
LAB_SESSION = "dockboard.lab.session"  # the lab session it belongs to (reaped with it)
EXPIRES = "dockboard.expires"  # unix time after which it may be removed (lab sessions)
