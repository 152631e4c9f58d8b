"""The engine's pull messages folded into per-layer progress, as `docker pull` draws it."""

import re
from typing import Any

from django.utils.translation import gettext as _

DOWNLOADED = {"Verifying Checksum", "Download complete", "Extracting", "Pull complete"}
LAYER_STATUSES = {
    "Pulling fs layer", "Waiting", "Downloading", "Retrying", "Already exists", *DOWNLOADED,
}  # fmt: skip


# What a registry (or whatever answers at its address) sent back is never shown: a port that is
# no registry would otherwise have its first bytes read out on the job page. Quoted URLs stay.
QUOTED = re.compile(r'"[^"]*"?')
MAX_ERROR = 300


def short_error(message: str) -> str:
    """The engine's reason in short: its first line, with quoted answers from the other end cut."""
    lines = message.strip().splitlines()
    first = QUOTED.sub(_keep_urls, lines[0] if lines else message)
    return first if len(first) <= MAX_ERROR else first[: MAX_ERROR - 1] + "…"


# How an engine says the registry wants a login, or refused the one it sent.
LOGIN_WANTED = re.compile(
    r"no basic auth credentials|unauthorized|authentication required|incorrect username", re.I
)


def pull_error(message: str, registry: str, login: str | None) -> str:
    """The engine's reason, and what to do when the registry wants a login: ``login`` is the
    user name of the stored login the pull sent, None for none."""
    reason = short_error(message)
    if not LOGIN_WANTED.search(message):
        return reason
    values = {"registry": registry, "user": login, "reason": reason}
    if login is None:
        return (
            _(
                "%(registry)s asks for a login, and none of your teams has stored one for it. "
                "An instructor adds it under Registry logins on the team's page. (%(reason)s)"
            )
            % values
        )
    return (
        _(
            "%(registry)s refused the stored login of %(user)s. An instructor replaces its "
            "password under Registry logins on the team's page. (%(reason)s)"
        )
        % values
    )


def _keep_urls(quoted: re.Match[str]) -> str:
    return quoted[0] if quoted[0].startswith(('"http://', '"https://')) else '"…"'


class PullFailed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PullProgress:
    def __init__(self) -> None:
        self.layers: dict[str, dict[str, Any]] = {}
        self.digest = ""

    def apply(self, message: dict[str, Any]) -> None:
        """Fold one message in; an error message raises ``PullFailed`` with its reason."""
        if "error" in message:
            detail = message.get("errorDetail") or {}
            raise PullFailed(short_error(detail.get("message") or message["error"]))
        status = message.get("status", "")
        if status.startswith("Digest: "):
            self.digest = status.removeprefix("Digest: ").strip()
            return
        layer_id = message.get("id")
        if not layer_id or status.split(" ")[0] not in {s.split(" ")[0] for s in LAYER_STATUSES}:
            return
        layer = self.layers.setdefault(layer_id, {"status": "", "current": 0, "total": 0})
        layer["status"] = status
        detail = message.get("progressDetail") or {}
        if status == "Downloading" and detail.get("total"):
            layer["total"] = detail["total"]
            layer["current"] = detail.get("current", 0)
        elif status in DOWNLOADED:
            # A small layer can arrive in one read with no "Downloading" message at all; its
            # extraction reads the same compressed blob, so its total is the layer's size.
            if status == "Extracting" and not layer["total"]:
                layer["total"] = detail.get("total") or 0
            layer["current"] = layer["total"]

    @property
    def bytes_total(self) -> int:
        return sum(layer["total"] for layer in self.layers.values())

    @property
    def bytes_done(self) -> int:
        return sum(layer["current"] for layer in self.layers.values())
