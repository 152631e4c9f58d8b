"""Registries a pull may not name: link-local addresses (cloud metadata services live there) and
Dockboard's own address, unless ``DOCKBOARD_ALLOWED_REGISTRIES`` lists them. Checked before the
engine is asked, on the address as written (numeric forms such as 2852039166 included)."""

import ipaddress
import socket

from django.conf import settings
from django.utils.translation import gettext as _


class ForbiddenRegistry(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _split(domain: str) -> tuple[str, str]:
    if domain.startswith("["):
        host, _bracket, rest = domain[1:].partition("]")
        return host, rest.removeprefix(":")
    host, _colon, port = domain.partition(":")
    return host, port


def _numeric_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        info = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return None
    return ipaddress.ip_address(info[0][4][0].split("%")[0])


def _is_own_address(host: str, port: str) -> bool:
    own_host, own_port = _split(settings.DOCKBOARD_BIND)
    if port != own_port:
        return False
    address = _numeric_address(host)
    local = host.lower() == "localhost" or (
        address is not None and (address.is_loopback or address.is_unspecified)
    )
    names = {own_host.lower(), *(h.strip("[]").lower() for h in settings.ALLOWED_HOSTS)}
    return local or host.lower() in names or str(address) in names


def check_registry(domain: str) -> None:
    """Raise ``ForbiddenRegistry`` when a pull must not reach this registry."""
    if domain.lower() in {d.lower() for d in settings.DOCKBOARD_ALLOWED_REGISTRIES}:
        return
    host, port = _split(domain)
    address = _numeric_address(host)
    if address is not None and address.is_link_local:
        raise ForbiddenRegistry(
            _("Pulls from link-local addresses such as %(host)s are refused.") % {"host": host}
        )
    if _is_own_address(host, port):
        raise ForbiddenRegistry(_("Dockboard does not pull from its own address."))
