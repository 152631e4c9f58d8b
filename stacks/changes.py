"""What a redeploy would do, before it does it: for each service, whether its container is
made, recreated (and which of its settings changed) or left running; and the containers of
services the new file no longer has, which `up` leaves (as docker-compose 1.29 does)."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from dashboard.notation.compose_project import SERVICE_LABEL, Project
from dashboard.notation.names import container_name
from stacks.deploy import outdated
from stacks.plan import HASH_LABEL, create_parameters


@dataclass(frozen=True)
class Change:
    service: str
    what: str  # "create", "recreate", "keep" or "orphan"
    why: str = ""


def changes(
    old: Project | None, new: Project, containers: list[dict[str, Any]], api_version: str
) -> list[Change]:
    """``old``: the project as last deployed (its settings name what changed)."""
    by_name = {container_name(c): c for c in containers}
    before = {s.name: create_parameters(old, s, api_version) for s in old.services} if old else {}
    found = []
    for service in new.services:
        parameters = create_parameters(new, service, api_version)
        current = by_name.get(service.container_name)
        if current is None:
            found.append(Change(service.name, "create", _("not made yet")))
        elif not (reason := outdated(current, parameters)):
            found.append(Change(service.name, "keep", _("unchanged")))
        elif reason == "image":
            found.append(Change(service.name, "recreate", _("its image was updated")))
        else:
            why = _differences(before.get(service.name), parameters)
            found.append(Change(service.name, "recreate", why))
    services = {s.name for s in new.services}
    for container in containers:
        service = container["Labels"].get(SERVICE_LABEL, "")
        if service not in services:
            found.append(Change(service, "orphan", _("no longer in the file; left as it is")))
    return found


def _differences(before: dict[str, Any] | None, after: dict[str, Any]) -> str:
    """The settings that differ, by their create parameter names (the host's by theirs)."""
    if before is None:
        return _("its configuration changed")
    changed = [key for key in after if key not in ("labels", "host_config") and
               before.get(key) != after.get(key)]  # fmt: skip
    old_host, new_host = before.get("host_config") or {}, after.get("host_config") or {}
    changed += [
        key for key in sorted({*old_host, *new_host}) if old_host.get(key) != new_host.get(key)
    ]
    asked = {k: v for k, v in after["labels"].items() if k != HASH_LABEL}
    if {k: v for k, v in before["labels"].items() if k != HASH_LABEL} != asked:
        changed.append("labels")
    return (
        _("changed: %(settings)s") % {"settings": ", ".join(changed)}
        if changed
        else _("its configuration changed")
    )
