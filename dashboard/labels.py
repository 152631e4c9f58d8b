"""Label selectors as `docker … prune --filter label=KEY[=VALUE]` reads them."""

from typing import Any


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
