"""Who else is on a container's terminal: watchers (teachers; what they type is dropped here,
whatever their page sends) and a watcher's take-over (their input is accepted until either side
ends it). Every connection to a container's terminal joins its group on the channel layer, so
this works across server processes with Redis.

Group messages: ``terminal.watcher`` (a watcher joined or left), ``terminal.roll_call`` (a new
connection asks the watchers to say who they are), ``terminal.takeover`` (began or ended).
"""

from typing import Any

from channels.db import database_sync_to_async

from dashboard.actions import audit
from dashboard.notation.names import container_name
from dashboard.terminal.groups import terminal_group


@database_sync_to_async
def record_action(user: Any, address: str | None, action: str, container: dict[str, Any]) -> None:
    with audit.client_address(address):
        audit.record(
            user,
            action,
            target_kind="container",
            target_id=container["Id"],
            target_name=container_name(container),
        )


class TerminalPresence:
    """Mixed into the terminal consumer, which sets ``watching`` and ``may_type`` and calls
    ``join_presence`` / ``leave_presence``; its ``send_event`` talks to the browser."""

    watching = False
    taking_over = False
    group: str | None = None  # the container's terminals' group, once its presence is set up

    def _presence_init(self, container: dict[str, Any]) -> None:
        self.presence_container = container
        self.watchers: dict[str, str] = {}  # channel → name, of the watchers this one knows
        self.group = terminal_group(container["Id"])

    @property
    def _name(self) -> str:
        return self.scope["user"].get_username()

    @property
    def client_address(self) -> str | None:
        return (self.scope.get("client") or [None])[0]

    async def join_presence(self) -> None:
        await self.channel_layer.group_add(self.group, self.channel_name)
        if self.watching:
            await self._announce(joined=True)
            await record_action(
                self.scope["user"], self.client_address, "watch", self.presence_container
            )
        else:
            await self.channel_layer.group_send(self.group, {"type": "terminal.roll_call"})

    async def leave_presence(self) -> None:
        if self.watching:
            if self.taking_over:
                await self._set_takeover(False)
            await self._announce(joined=False)
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def _announce(self, joined: bool) -> None:
        await self.channel_layer.group_send(
            self.group,
            {"type": "terminal.watcher", "channel": self.channel_name, "name": self._name,
             "joined": joined},
        )  # fmt: skip

    async def terminal_watcher(self, event: dict[str, Any]) -> None:
        if event["joined"]:
            self.watchers[event["channel"]] = event["name"]
        else:
            self.watchers.pop(event["channel"], None)
        if not self.watching:
            names = sorted(set(self.watchers.values()))
            await self.send_event({"type": "watchers", "names": names})

    async def terminal_roll_call(self, event: dict[str, Any]) -> None:
        if self.watching:
            await self._announce(joined=True)
            if self.taking_over:
                await self._broadcast_takeover(True)

    async def request_takeover(self, active: bool) -> None:
        """From this connection's page: a watcher begins or ends their take-over; the person
        at the terminal may end anyone's."""
        if self.watching:
            if self.may_type and active != self.taking_over:
                await self._set_takeover(active)
        elif not active:
            await self.channel_layer.group_send(
                self.group,
                {"type": "terminal.takeover", "active": False, "name": "", "channel": ""},
            )

    async def _set_takeover(self, active: bool) -> None:
        self.taking_over = active
        action = "take over" if active else "end take-over"
        await record_action(
            self.scope["user"], self.client_address, action, self.presence_container
        )
        await self._broadcast_takeover(active)

    async def _broadcast_takeover(self, active: bool) -> None:
        await self.channel_layer.group_send(
            self.group,
            {"type": "terminal.takeover", "active": active, "name": self._name,
             "channel": self.channel_name},
        )  # fmt: skip

    async def terminal_takeover(self, event: dict[str, Any]) -> None:
        mine = event["channel"] == self.channel_name
        if self.watching and not event["active"] and not event["channel"] and self.taking_over:
            await self._set_takeover(False)  # ended from the terminal's own page
            return
        if self.watching and not mine:
            return
        await self.send_event(
            {"type": "takeover", "active": event["active"], "name": event["name"]}
        )
