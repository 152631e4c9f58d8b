"""What the endpoint answers, by method and path; everything else is refused (default deny).

The list is in the README ("The docker CLI"): each route is a command of the seed chapter, or
one that `docker run -it`, `ps`, `logs -f`, `exec -it` and the rest call.
"""

import re
from collections.abc import Awaitable, Callable
from typing import Any

from dockerapi.calls import ApiError, Call
from dockerapi.handlers import containers, execs, images, networks, system, volumes

CONTAINER = r"/containers/(?P<ref>[^/]+)"
NETWORK = r"/networks/(?P<ref>[^/]+)"
OPERATIONS = "|".join(containers.COMMANDS)
ROUTES: list[tuple[str, re.Pattern, Callable[..., Awaitable[Any]]]] = [
    (method, re.compile(pattern + r"\Z", re.ASCII), handler)
    for method, pattern, handler in [
        ("GET", r"/_ping", system.ping_or_version),
        ("HEAD", r"/_ping", system.ping_or_version),
        ("GET", r"/version", system.ping_or_version),
        ("GET", r"/info", system.info),
        ("GET", r"/events", system.events),
        ("GET", r"/containers/json", containers.listing),
        ("POST", r"/containers/create", containers.create),
        ("GET", CONTAINER + r"/json", containers.inspect),
        ("POST", CONTAINER + r"/attach", containers.attach),
        ("POST", CONTAINER + r"/exec", execs.create),
        ("POST", CONTAINER + rf"/(?P<operation>{OPERATIONS})", containers.operation),
        ("GET", CONTAINER + r"/(?P<operation>logs|top|changes|stats)", containers.operation),
        ("DELETE", CONTAINER, containers.remove),
        ("POST", r"/exec/(?P<exec_id>[0-9a-f]{64})/start", execs.start),
        ("POST", r"/exec/(?P<exec_id>[0-9a-f]{64})/(?P<operation>resize)", execs.resize_or_inspect),
        ("GET", r"/exec/(?P<exec_id>[0-9a-f]{64})/(?P<operation>json)", execs.resize_or_inspect),
        ("GET", r"/images/json", images.listing),
        ("GET", r"/images/(?P<ref>.+)/json", images.inspect),
        ("POST", r"/images/create", images.pull),
        ("POST", r"/images/(?P<ref>.+)/tag", images.tag),
        ("DELETE", r"/images/(?P<ref>.+)", images.remove),
        ("POST", r"/commit", images.commit),
        ("GET", r"/volumes", volumes.listing),
        ("POST", r"/volumes/create", volumes.create),
        ("GET", r"/volumes/(?P<name>[^/]+)", volumes.inspect),
        ("DELETE", r"/volumes/(?P<name>[^/]+)", volumes.remove),
        ("GET", r"/networks", networks.listing),
        ("POST", r"/networks/create", networks.create),
        ("GET", NETWORK, networks.inspect),
        ("DELETE", NETWORK, networks.remove),
        ("POST", NETWORK + r"/(?P<operation>connect|disconnect)", networks.connection),
    ]
]


async def answer(call: Call) -> Any:
    """The answer of the route the call matches; a 403 for every call no route names."""
    for method, pattern, handler in ROUTES:
        if call.method == method and (match := pattern.match(call.path)):
            return await handler(call, **match.groupdict())
    # A read answers 404, which the CLI passes over as it tries each kind of object in turn
    # (`docker inspect NAME` asks for a container, an image, a network, a volume, a plugin…).
    raise ApiError(
        404 if call.method in {"GET", "HEAD"} else 403,
        f"Dockboard does not let {call.method} {call.path} through to the engine.",
    )
