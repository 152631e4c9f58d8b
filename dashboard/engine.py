"""The engine gateway: every Docker Engine call in Dockboard goes through this module.

Calls have timeouts (streams excepted) and every SDK or transport failure leaves here as an
``EngineError`` that carries the message a user should read and the HTTP status that fits it.
"""

import contextlib
import contextvars
import functools
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import docker
import requests
import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

from dashboard import engines
from dashboard.checked import CheckedCommit, CheckedCreate, CheckedExec
from dashboard.engines import LOCAL, EngineAddress


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


class DotSegment(requests.exceptions.InvalidURL):
    """A reference with a ``.`` or ``..`` path part: the engine would clean the path into
    another API (``/images/../containers/x``), so it never leaves here."""


class GatewayClient(docker.APIClient):
    """The SDK's client that sends only the path it was asked for: no dot segments, and no
    redirects followed (the engine answers a cleaned path with a 301, which the SDK would follow
    with the same method, DELETE included)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_redirects = 0

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        path = urllib.parse.urlsplit(url if isinstance(url, str) else url.decode()).path
        if any(part in {".", ".."} for part in urllib.parse.unquote(path).split("/")):
            raise DotSegment(path)
        return super().request(method, url, *args, **kwargs)


_clients: dict[EngineAddress, docker.APIClient] = {}
_clients_lock = threading.Lock()
# The engine this request (or task, or websocket) works on; pages name it in their URL.
_current: contextvars.ContextVar[str] = contextvars.ContextVar("dockboard_engine", default=LOCAL)


@contextlib.contextmanager
def on(name: str) -> Iterator[None]:
    """Make every gateway call in the block go to the engine named ``name``."""
    token = _current.set(name)
    try:
        yield
    finally:
        _current.reset(token)


def current_name() -> str:
    return _current.get()


def current() -> EngineAddress:
    name = _current.get()
    found = engines.local() if name == LOCAL else engines.find(name)
    if found is None:
        raise NotFound(_("No such engine: %(name)s") % {"name": name})
    return found


def docker_host() -> str:
    return current().address


def client() -> docker.APIClient:
    """The shared low-level client of the current engine; created (and version-negotiated) once
    an address."""
    address = current()
    with _clients_lock:
        api = _clients.get(address)
        if api is None:
            with translated_errors():
                api = GatewayClient(
                    base_url=address.address,
                    version="auto",
                    timeout=settings.DOCKER_TIMEOUT,
                    tls=address.tls_config(),
                    use_ssh_client=address.address.startswith("ssh://"),
                )
            _clients[address] = api
    return api


def unreachable(address: EngineAddress | None = None) -> EngineUnreachable:
    address = address or current()
    if address.name == LOCAL:
        message = _("The Docker Engine at %(host)s is unreachable. Is it running?")
    else:
        message = _("Engine %(name)s at %(host)s is unreachable. Is it running?")
    return EngineUnreachable(message % {"host": address.address, "name": address.name})


def is_read_timeout(exc: BaseException) -> bool:
    """Over a unix socket the SDK reports a read timeout as a ConnectionError wrapping it."""
    if isinstance(exc, requests.exceptions.Timeout):
        return True
    cause = exc.args[0] if exc.args else None
    return isinstance(exc, requests.exceptions.ConnectionError) and isinstance(
        cause, urllib3.exceptions.ReadTimeoutError
    )


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    """The exception and those it was raised from or while handling."""
    seen = 0
    while exc is not None and seen < 10:
        yield exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1


@contextlib.contextmanager
def translated_errors() -> Iterator[None]:
    """Turn SDK and transport errors raised inside the block into ``EngineError``s."""
    try:
        yield
    except docker.errors.APIError as exc:
        error_class = STATUS_ERRORS.get(exc.status_code or 0, EngineError)
        raise error_class(exc.explanation or str(exc)) from exc
    except DotSegment as exc:
        raise BadParameter(_("A name cannot have “.” or “..” as a part of its path.")) from exc
    except docker.errors.NullResource as exc:  # the SDK's refusal of an empty name
        raise BadParameter(_("A name is needed here.")) from exc
    except requests.exceptions.TooManyRedirects as exc:
        raise BadParameter(
            _("The engine answered with a redirect, which Dockboard never follows.")
        ) from exc
    except (requests.exceptions.RequestException, docker.errors.DockerException, OSError) as exc:
        # The SDK wraps a timeout of its first call (the API version) in a DockerException.
        if not any(is_read_timeout(error) for error in _chain(exc)):
            raise unreachable() from exc
        raise EngineUnreachable(
            _("The Docker Engine at %(host)s did not answer within %(seconds)s seconds.")
            % {"host": docker_host(), "seconds": f"{settings.DOCKER_TIMEOUT:g}"}
        ) from exc


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
def list_containers(label_filters: list[str] | None = None) -> list[dict[str, Any]]:
    """`docker ps -a`, with ``--filter label=…`` for each selector (the engine ANDs them)."""
    return client().containers(
        all=True, filters={"label": label_filters} if label_filters else None
    )


@engine_call
def list_containers_by_id(ids: list[str], *, size: bool = False) -> list[dict[str, Any]]:
    """`docker ps -a --filter id=…` for each id: the summaries of those that still exist (with
    ``size``, `--size`: their writable layers' ``SizeRw``)."""
    return client().containers(all=True, size=size, filters={"id": ids}) if ids else []


@engine_call
def inspect_container(ref: str) -> dict[str, Any]:
    return client().inspect_container(ref)


@engine_call
def resize_container(ref: str, rows: int, cols: int) -> None:
    client().resize(ref, height=rows, width=cols)


@engine_call
def wait_for_exit(ref: str, timeout: float) -> int | None:
    """The exit code once the container is not running, or None if it still runs after timeout."""
    try:
        return client().wait(ref, timeout=timeout, condition="not-running")["StatusCode"]
    except requests.exceptions.RequestException as exc:
        if is_read_timeout(exc):
            return None
        raise


@engine_call
def path_exists(ref: str, path: str) -> bool:
    """Whether ``path`` exists in the container's filesystem (HEAD of the archive endpoint)."""
    api = client()
    url = api_url(api, f"/containers/{urllib.parse.quote(ref, safe='')}/archive")
    response = api.head(url, params={"path": path}, timeout=settings.DOCKER_TIMEOUT)
    if response.status_code == 404:
        return False
    raise_for_status(response)
    return True


# Two calls the SDK has no public method for (a HEAD, and a pull whose response the caller may
# close, in engine_images), made with the public parts it is built of: its requests session,
# and its errors.
def api_url(api: docker.APIClient, path: str) -> str:
    return f"{api.base_url}/v{api.api_version}{path}"


def raise_for_status(response: requests.Response) -> None:
    try:
        response.raise_for_status()
    except requests.exceptions.HTTPError as exc:
        raise docker.errors.create_api_error_from_http_exception(exc) from exc


def require[T](checked: object, kind: type[T]) -> T:
    """Creates, execs and pulls take only what the policy gate (dashboard/policy.py) made."""
    if not isinstance(checked, kind):
        raise TypeError(f"the engine takes a {kind.__name__} from dashboard.policy")
    return checked


@engine_call
def create_exec(checked: CheckedExec) -> str:
    checked = require(checked, CheckedExec)
    created = client().exec_create(
        checked.container_id,
        checked.command,
        stdin=True,
        tty=checked.tty,
        user=checked.user,
        privileged=checked.privileged,
        environment={"TERM": "xterm-256color"} if checked.tty else None,
    )
    return created["Id"]


@engine_call
def inspect_exec(exec_id: str) -> dict[str, Any]:
    return client().exec_inspect(exec_id)


@engine_call
def resize_exec(exec_id: str, rows: int, cols: int) -> None:
    client().exec_resize(exec_id, height=rows, width=cols)


@engine_call
def api_version() -> str:
    return client().api_version


@engine_call
def container_action(ref: str, action: str) -> None:
    """start, stop, restart, kill, pause or unpause, as the SDK names them."""
    getattr(client(), action)(ref)


@engine_call
def remove_container(ref: str, force: bool, volumes: bool) -> None:
    client().remove_container(ref, force=force, v=volumes)


@engine_call
def rename_container(ref: str, name: str) -> None:
    client().rename(ref, name)


@engine_call
def container_changes(ref: str) -> list[dict[str, Any]]:
    return client().diff(ref) or []


@engine_call
def container_processes(ref: str) -> dict[str, Any]:
    return client().top(ref)


@engine_call
def container_stats(ref: str) -> dict[str, Any]:
    return client().stats(ref, stream=False)


@engine_call
def create_container(checked: CheckedCreate) -> str:
    return client().create_container(**require(checked, CheckedCreate).parameters)["Id"]


@engine_call
def commit_container(checked: CheckedCommit) -> str:
    """`docker commit`: the container's layer becomes the new image's top layer; its id."""
    checked = require(checked, CheckedCommit)
    created = client().commit(
        checked.container_id,
        repository=checked.repository,
        tag=checked.tag,
        message=checked.message or None,
        author=checked.author or None,
        changes=checked.changes or None,
    )
    return created["Id"]


@engine_call
def prune_stopped_containers(label_filters: list[str]) -> dict[str, Any]:
    return client().prune_containers(filters={"label": label_filters} if label_filters else None)
