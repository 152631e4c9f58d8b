"""The stats page, live: after each collector pass its websocket receives the table again,
rendered for its user (the gatekeeper's list) and its sort by the page's own partial."""

import asyncio

from django.http import QueryDict
from django.template.loader import render_to_string

from dashboard.access.roles import forget_grants
from dashboard.engine.errors import EngineError
from dashboard.live.socket import LivePageConsumer
from stats import list_page, passes


class LiveStatsConsumer(LivePageConsumer):
    async def start(self) -> bool:
        self.params = QueryDict(mutable=True)
        if sort := self.query.get("sort"):
            self.params["sort"] = sort
        self.passed = asyncio.Event()
        self.unsubscribe = passes.reader(self.engine_name).subscribe(self.passed.set)
        return self.keep(self._pump())

    async def stop(self) -> None:
        self.unsubscribe()

    def _render(self) -> str:
        user = self.scope["user"]
        forget_grants(user)  # a role changed since the last push counts at once
        try:
            context = list_page.table_context(user, self.params)
        except EngineError:  # gone since the pass: the page keeps the last table
            return ""
        return render_to_string("stats/list.html#table", context).strip()

    async def _pump(self) -> None:
        while True:
            await self.passed.wait()
            self.passed.clear()
            html = await self.on_page(self._render)
            if html:
                try:
                    await self.send(text_data=html)
                except OSError:  # the page closed meanwhile; its disconnect ends this task
                    return
