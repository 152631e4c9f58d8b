"""`docker events` for one caller: the engine's stream, with only the events of objects they may
see (their containers; images, which are engine-wide, for anyone on a team; all of them for an
administrator). Each container's rights are looked up once a stream."""

import contextlib
from collections.abc import AsyncIterator

import orjson
from channels.db import database_sync_to_async

from dashboard.access.objects import rights_on
from dashboard.access.roles import Rights, grants_for
from dashboard.engine.passthrough import EngineResponse
from dashboard.policy.ownership import Kind


class CallersEvents:
    """The engine's answer to `GET /events`, as ``dockerapi.server`` relays an answer."""

    def __init__(self, response: EngineResponse, user: object) -> None:
        self.response = response
        self.status = response.status
        self.headers = response.headers
        self.user = user
        self.seen: dict[str, bool] = {}

    async def body(self) -> AsyncIterator[bytes]:
        pending = b""
        async for chunk in self.response.body():
            *lines, pending = (pending + chunk).split(b"\n")
            kept = [line for line in lines if line.strip() and await self._shown(line)]
            if kept:
                yield b"\n".join(kept) + b"\n"

    async def _shown(self, line: bytes) -> bool:
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            return False
        kind = event.get("Type") if isinstance(event, dict) else None
        if kind == "image":
            return await self._may("image:", lambda: grants_for(self.user).has_team)
        if kind != "container":
            return await self._may("admin:", lambda: grants_for(self.user).admin)
        container_id = str((event.get("Actor") or {}).get("ID") or "")
        return await self._may(container_id, lambda: self._sees(container_id))

    def _sees(self, container_id: str) -> bool:
        rights = rights_on(self.user, Kind.CONTAINER, [{"Id": container_id}])
        return rights[container_id] is not Rights.NONE

    async def _may(self, key: str, decide) -> bool:
        if key not in self.seen:
            self.seen[key] = await database_sync_to_async(decide)()
        return self.seen[key]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.response.close()
