"""`/healthz` and `/readyz`, for load balancers and supervisors: no sign-in, and nothing in the
answer a stranger could use (no names, no addresses, no versions).

- ``/healthz``: the process answers.
- ``/readyz``: it can serve: the database answers, the channel layer carries a message, and at
  least one engine answers (each pinged at once, with a short timeout). 503 otherwise.
"""

import asyncio

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dashboard.engine import fanout, registry

CHANNEL_SECONDS = 2.0


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_safe
async def readyz(request: HttpRequest) -> JsonResponse:
    answering, engines = await sync_to_async(_engines)()
    checks = {
        "database": await sync_to_async(_database)(),
        "channel_layer": await _channel_layer(),
        "engines": f"{answering} of {engines} answer",
    }
    ready = checks["database"] == checks["channel_layer"] == "ok" and answering > 0
    status = 200 if ready else 503
    return JsonResponse({"status": "ok" if ready else "unavailable", **checks}, status=status)


def _engines() -> tuple[int, int]:
    """How many engines answer, of how many (a database that fails: the local one alone)."""
    try:
        engines = registry.every_engine()
    except DatabaseError:
        engines = [registry.local()]
    return sum(1 for h in fanout.health(engines) if h.ok), len(engines)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except DatabaseError:
        return "failing"


async def _channel_layer() -> str:
    """A message sent to a channel of its own, and received back."""
    layer = get_channel_layer()
    try:
        channel = await layer.new_channel("readyz.")
        await layer.send(channel, {"type": "readyz.ping"})
        received = await asyncio.wait_for(layer.receive(channel), CHANNEL_SECONDS)
    except Exception:  # whatever the layer's backend raises (Redis's own errors among them)
        return "failing"
    return "ok" if received.get("type") == "readyz.ping" else "failing"
