"""`docker build` on the engine's own builder: the build context sent as a tar, the builder's
output read as it comes."""

import contextlib
import json
import socket
from typing import IO, Any

from dashboard.engine.client import api_url, client, raise_for_status, require, translated_errors
from dashboard.engine.images import json_messages
from dashboard.policy.sealed import CheckedBuild


def build_stream(checked: CheckedBuild, context: IO[bytes]) -> tuple[Any, Any]:
    """Start the build: the open response (close it to cancel the build) and its decoded
    messages ({"stream": …} lines, {"aux": {"ID": …}}, {"error": …})."""
    checked = require(checked, CheckedBuild)
    params: dict[str, Any] = {
        "t": checked.tag,
        "rm": "1",
        "forcerm": "1",  # the step containers go, a failed step's too
        "networkmode": "default",
        "buildargs": json.dumps(checked.build_args),
    }
    if checked.target:
        params["target"] = checked.target
    if checked.memory:
        params["memory"] = params["memswap"] = str(checked.memory)
    with translated_errors():
        api = client()
        response = api.post(
            api_url(api, "/build"),
            params=params,
            data=context,
            headers={"Content-Type": "application/x-tar"},
            stream=True,
            timeout=None,
        )
        raise_for_status(response)
    return response, json_messages(response)


def stop(response: Any) -> None:
    """End the build (another thread may be waiting on its output): the connection is shut,
    which the engine takes as `docker build` interrupted, and the waiting read returns."""
    connection = getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    response.close()
