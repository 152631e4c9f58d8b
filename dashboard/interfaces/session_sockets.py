"""A lab session's own Docker socket, which the labs app asks for and the Engine API endpoint
serves: a learner's workstation container has the `docker` CLI and this socket at
``/var/run/docker.sock``, and the socket is the credential (every call is the learner's,
through the gatekeeper and the policy gate). The socket lives in a directory of its own in the
data directory, mounted into the workstation, so that the container may start before the
endpoint has bound it.
"""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.dispatch import Signal

# Where the workstation sees the directory: the socket is then the CLI's default.
MOUNT_TARGET = "/var/run"
SOCKET_NAME = "docker.sock"

# Sent with ``session_id``, ``user_id``, ``team_id`` and ``expires_at`` (the latest end of the
# session) when a session with a workstation starts; and with ``session_id`` when it ends.
wanted = Signal()
ended = Signal()


def directory(session_id: int) -> Path:
    return Path(settings.DATA_DIR) / "sockets" / f"session-{session_id}"


def path(session_id: int) -> Path:
    return directory(session_id) / SOCKET_NAME


def make_directory(session_id: int) -> Path:
    """The session's socket directory, made (only its owner may enter it), to mount: the socket
    appears in it once ``open_for`` asks the endpoint to serve it."""
    found = directory(session_id)
    found.mkdir(parents=True, exist_ok=True, mode=0o700)
    return found


def open_for(session_id: int, user_id: int, team_id: int, expires_at: datetime) -> Path:
    """The session's socket directory, made, and the endpoint asked to serve the socket in it
    as ``user_id``'s; the directory to mount."""
    found = make_directory(session_id)
    wanted.send(
        sender=None,
        session_id=session_id,
        user_id=user_id,
        team_id=team_id,
        expires_at=expires_at,
    )
    return found


def close_for(session_id: int) -> None:
    ended.send(sender=None, session_id=session_id)
