"""The engine gateway's client: every Docker Engine call in Dockboard goes through the package
``dashboard.engine``, on the engine this request (task, websocket) works on.

Calls have timeouts (streams excepted) and every SDK or transport failure leaves here as an
``EngineError`` (``dashboard.engine.errors``).
"""

import contextlib
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

from dashboard.engine.current import current, docker_host, unreachable
from dashboard.engine.errors import (
    STATUS_ERRORS,
    Ambiguous,
    BadParameter,
    EngineError,
    EngineUnreachable,
)
from dashboard.engine.registry import EngineAddress

# The engine's words for a short id that begins several ids; its status is 500 before 23.0.
AMBIGUOUS_PREFIX = "multiple ids found with provided prefix"


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


def client() -> docker.APIClient:
    """The shared low-level client of the current engine; created (and version-negotiated) once
    an address."""
    address = current()
    with _clients_lock:
        api = _clients.get(address)
        if api is None:
            with translated_errors():
                api = new_client(address, version="auto", timeout=settings.DOCKER_TIMEOUT)
            _clients[address] = api
    return api


def new_client(address: EngineAddress, *, version: str, timeout: float) -> GatewayClient:
    """A client of its own for ``address``: the shared ones (``client``) but for a caller that
    must not wait on another's timeout, as the engines page's health checks."""
    tls = None
    if address.tls:
        files = address.tls_files()
        tls = docker.tls.TLSConfig(
            client_cert=(files["cert"], files["key"]), ca_cert=files["ca"], verify=True
        )
    return GatewayClient(
        base_url=address.address,
        version=version,
        timeout=timeout,
        tls=tls,
        use_ssh_client=address.address.startswith("ssh://"),
    )


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
        if AMBIGUOUS_PREFIX in (exc.explanation or "").lower():
            error_class = Ambiguous
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
    """Creates, execs and pulls take only what the policy gate (``dashboard.policy``) made."""
    if not isinstance(checked, kind):
        raise TypeError(f"the engine takes a {kind.__name__} from dashboard.policy")
    return checked
