"""The stats table, for the page and for its websocket: every running container the user may
see, with the collector's latest reading of each and the last minutes as sparklines."""

import time
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User

from dashboard.access.containers import visible_containers
from dashboard.engine import current as engine
from dashboard.notation.names import container_name
from stats import series

SORTS = {
    "name": lambda row: row["name"].lower(),
    "cpu": lambda row: row["sample"].cpu if row["sample"] else -1.0,
    "memory": lambda row: row["sample"].memory if row["sample"] else -1,
    "net": lambda row: row["sample"].net_rx + row["sample"].net_tx if row["sample"] else -1.0,
    "block": lambda row: (
        row["sample"].block_read + row["sample"].block_write if row["sample"] else -1.0
    ),
    "pids": lambda row: row["sample"].pids if row["sample"] else -1,
}


def table_context(user: User, params: Mapping[str, str]) -> dict[str, Any]:
    running = [c for c in visible_containers(user) if c.get("State") == "running"]
    latest, spark = series.recent(
        engine.current_name(), {c["Id"] for c in running}, int(time.time())
    )
    rows = [
        {
            "id": c["Id"],
            "name": container_name(c),
            "image": c.get("Image", ""),
            "sample": latest.get(c["Id"]),
            "spark": spark.get(c["Id"], []),
        }
        for c in running
    ]
    sort = params.get("sort") or "-cpu"
    key = SORTS.get(sort.lstrip("-"), SORTS["cpu"])
    rows.sort(key=key, reverse=sort.startswith("-"))
    return {"rows": rows, "sort": sort, "params": params}
