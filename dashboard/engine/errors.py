"""The engine's failures as Dockboard shows them: every SDK or transport failure leaves the
gateway as an ``EngineError`` that carries the message a user should read and the HTTP status
that fits it."""


class EngineError(Exception):
    """A failure the user can read: ``message`` is shown in the page with ``status``."""

    status = 502

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EngineUnreachable(EngineError):
    status = 503


class NotFound(EngineError):
    status = 404


class Conflict(EngineError):
    status = 409


class BadParameter(EngineError):
    status = 400


class Ambiguous(BadParameter):
    """A short id that begins the ids of several objects: the engine cannot tell which."""


class Refusal:
    """A no from Dockboard's rules (a role, the policy gate), not a failure: the audit log
    writes it as refused."""


class Denied(Refusal, EngineError):
    status = 403


class NotSupported(EngineError):
    """What this engine cannot do, as reading back the logs of `--log-driver none`."""

    status = 501


STATUS_ERRORS: dict[int, type[EngineError]] = {
    400: BadParameter,
    401: Denied,
    403: Denied,
    404: NotFound,
    409: Conflict,
    501: NotSupported,
}
