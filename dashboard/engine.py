"""The engine gateway: every Docker Engine call in Dockboard goes through this module.

Calls have timeouts (streams excepted) and every SDK or transport failure leaves here as an
``EngineError`` that carries the message a user should read and the HTTP status that fits it.
"""

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any

import docker
import requests
from django.conf import settings
from django.utils.translation import gettext as _


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


class Denied(EngineError):
    status = 403


_STATUS_ERRORS: dict[int, type[EngineError]] = {
    400: BadParameter,
    401: Denied,
    403: Denied,
    404: NotFound,
    409: Conflict,
}

_clients: dict[str, docker.APIClient] = {}
_clients_lock = threading.Lock()


def docker_host() -> str:
    return settings.DOCKER_HOST


def client() -> docker.APIClient:
    """The shared low-level client for ``DOCKER_HOST``; created (and version-negotiated) once."""
    host = docker_host()
    with _clients_lock:
        api = _clients.get(host)
        if api is None:
            with translated_errors():
                api = docker.APIClient(
                    base_url=host, version="auto", timeout=settings.DOCKER_TIMEOUT
                )
            _clients[host] = api
    return api


def _unreachable() -> EngineUnreachable:
    return EngineUnreachable(
        _("The Docker Engine at %(host)s is unreachable. Is it running?") % {"host": docker_host()}
    )


@contextlib.contextmanager
def translated_errors() -> Iterator[None]:
    """Turn SDK and transport errors raised inside the block into ``EngineError``s."""
    try:
        yield
    except docker.errors.APIError as exc:
        error_class = _STATUS_ERRORS.get(exc.status_code or 0, EngineError)
        raise error_class(exc.explanation or str(exc)) from exc
    except requests.exceptions.Timeout as exc:
        raise EngineUnreachable(
            _("The Docker Engine at %(host)s did not answer within %(seconds)s seconds.")
            % {"host": docker_host(), "seconds": f"{settings.DOCKER_TIMEOUT:g}"}
        ) from exc
    except (requests.exceptions.ConnectionError, docker.errors.DockerException, OSError) as exc:
        raise _unreachable() from exc


def engine_call[**P, R](fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate a gateway function so that it raises only ``EngineError``s."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translated_errors():
            return fn(*args, **kwargs)

    return wrapper


@engine_call
def version() -> dict[str, Any]:
    return client().version()


@engine_call
def info() -> dict[str, Any]:
    return client().info()


@engine_call
def disk_usage() -> dict[str, Any]:
    return client().df()


@engine_call
def list_containers() -> list[dict[str, Any]]:
    return client().containers(all=True)


@engine_call
def list_images() -> list[dict[str, Any]]:
    return client().images(all=False)


@engine_call
def inspect_container(ref: str) -> dict[str, Any]:
    return client().inspect_container(ref)


@engine_call
def inspect_image(ref: str) -> dict[str, Any]:
    return client().inspect_image(ref)
