"""Registries a pull may not name: link-local addresses (cloud metadata services live there) and
Dockboard's own address, unless ``DOCKBOARD_ALLOWED_REGISTRIES`` lists them. Checked before the
engine is asked, on the address as written (numeric forms such as 2852039166 included), and on
the IPv4 address an IPv6 spelling carries (``[::ffff:169.254.169.254]`` is 169.254.169.254)."""

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
    return _embedded_ipv4(ipaddress.ip_address(info[0][4][0].split("%")[0]))


# IPv6 spellings of an IPv4 address besides IPv4-mapped (``ipv4_mapped``): IPv4-compatible
# (::a.b.c.d, deprecated but still routed by some stacks) and NAT64's well-known prefix.
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The IPv4 address an IPv6 one stands for, if any; the address itself otherwise."""
    if address.version == 4:
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):  # not :: nor ::1
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


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
            _("Registries at link-local addresses such as %(host)s are refused.") % {"host": host}
        )
    if _is_own_address(host, port):
        raise ForbiddenRegistry(_("Dockboard does not use a registry at its own address."))
