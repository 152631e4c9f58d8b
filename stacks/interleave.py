"""`docker-compose logs -t --tail N`: the last lines of each of a stack's containers the user
may see, prefixed with the service, in the order the engine stamped them."""

import re
from dataclasses import dataclass
from typing import Any

from dashboard.access.containers import access_container
from dashboard.access.roles import User
from dashboard.engine import logs as engine_logs
from dashboard.engine.errors import EngineError, NotFound
from dashboard.notation.compose_project import SERVICE_LABEL

TAIL = 200
# RFC 3339 with nanoseconds, trailing zeros trimmed by the engine: padded again to sort.
STAMP = re.compile(r"^(?P<second>\S+?)(?:\.(?P<fraction>\d+))?Z$")


@dataclass(frozen=True)
class LogLine:
    service: str
    stamp: str
    text: str

    @property
    def order(self) -> tuple[str, str]:
        match = STAMP.match(self.stamp)
        if not match:
            return (self.stamp, "")
        return (match["second"], (match["fraction"] or "").ljust(9, "0"))


def interleaved(user: User, containers: list[dict[str, Any]]) -> list[LogLine]:
    lines = []
    for found in containers:
        try:
            container = access_container(user, found["Id"])
            raw = engine_logs.container_logs(container["Id"], stdout=True, stderr=True, tail=TAIL)
        except NotFound:
            continue
        except EngineError as error:
            lines.append(LogLine(_service(found), "", f"({error.message})"))
            continue
        service = _service(found)
        for line in raw.decode(errors="replace").splitlines():
            stamp, _sep, text = line.partition(" ")
            lines.append(LogLine(service, stamp, text))
    return sorted(lines, key=lambda line: line.order)


def _service(container: dict[str, Any]) -> str:
    return (container.get("Labels") or {}).get(SERVICE_LABEL, "?")
