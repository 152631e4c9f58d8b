"""The audit log: one row for every state change made through Dockboard, and every refusal.

The client's address is taken from the request (or websocket) being served, kept in a context
variable by ``AuditMiddleware`` and the consumers, so that actions deep down need not carry it.
"""

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse

from dashboard.access.roles import User
from dashboard.engine.errors import Denied, EngineError, NotFound, Refusal
from dashboard.models import AuditEvent
from dashboard.policy import ownership

Outcome = AuditEvent.Outcome
_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


@contextlib.contextmanager
def client_address(address: str | None) -> Iterator[None]:
    token = _client_ip.set(address or None)
    try:
        yield
    finally:
        _client_ip.reset(token)


def record(
    user: User | None,
    action: str,
    *,
    target_kind: str = "",
    target_id: str = "",
    target_name: str = "",
    command: str = "",
    outcome: str = Outcome.OK,
    reason: str = "",
    team_id: int | None = None,
    actor_name: str = "",
) -> AuditEvent:
    actor = user if user is not None and user.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=(actor.get_username() if actor else actor_name)[:150],
        client_ip=_client_ip.get(),
        team_id=team_id,
        action=action,
        target_kind=target_kind,
        target_id=target_id[:128],
        target_name=target_name[:255],
        command=command,
        outcome=outcome,
        reason=reason,
    )


@contextlib.contextmanager
def audited(
    user: User | None, action: str, command: str = "", **target: Any
) -> Iterator[dict[str, Any]]:
    """Record the action's outcome: ok, or the failure raised in the block (raised on). The
    block may add to the target it is given (the id of what it made)."""
    try:
        yield target
    except EngineError as error:
        failed(user, action, error, command=command, **target)
        raise
    record(user, action, command=command, **target)


@contextlib.contextmanager
def denials_recorded(user: User | None, action: str, **target: Any) -> Iterator[None]:
    """A gatekeeper's no raised in the block is written as a refusal, then raised on: ``Denied``,
    and ``NotFound``, which stands for "not yours" as much as for "missing", so that an attempt
    on someone else's object is in the log (by the reference asked for, nothing more)."""
    try:
        yield
    except (Denied, NotFound) as refusal:
        failed(user, action, refusal, outcome=Outcome.REFUSED, **target)
        raise


def failed(
    user: User | None, action: str, error: EngineError, outcome: str | None = None, **target: Any
) -> None:
    """The one way a failure reaches the log: refused for a ``Refusal`` (a role's, the policy's),
    error for anything else; once, however many blocks it is raised through."""
    if getattr(error, "audited", False):
        return
    error.audited = True
    if outcome is None:
        outcome = Outcome.REFUSED if isinstance(error, Refusal) else Outcome.ERROR
    record(user, action, outcome=outcome, reason=error.message, **target)


def team_of(kind: str, object_id: str) -> int | None:
    """The team an engine object was made in, by its ownership record."""
    owner = ownership.owner_of(kind, object_id)
    return owner.team_id if owner else None


def refused(user: User | None, action: str, reason: str, **target: object) -> AuditEvent:
    """A refusal that is no exception (a failed sign-in), with its reason."""
    return record(user, action, outcome=Outcome.REFUSED, reason=reason, **target)


class AuditMiddleware:
    """Makes the request's client address known to ``record`` while the request is served."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with client_address(request.META.get("REMOTE_ADDR")):
            return self.get_response(request)
