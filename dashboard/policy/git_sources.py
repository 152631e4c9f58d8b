"""The Git repositories a stack may be read from. Dockboard's server makes the request, so an
address is checked as a server-side request: https or http only, no credentials in it, and every
address its host resolves to must be on the internet (not loopback, private, link-local — cloud
metadata services live there — multicast or reserved) unless ``DOCKBOARD_GIT_ALLOWED_NETWORKS``
lists it. The address checked is the one git connects to (``GitSource.address``, pinned), and
git follows no redirect, so neither a second lookup nor a redirect reaches another."""

import ipaddress
import socket
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from dashboard.policy.refusals import PolicyRefusal

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class GitSource:
    url: str
    host: str
    port: int
    address: str  # the one address git connects to

    @property
    def pinned(self) -> str:
        """The ``host:port:address`` of git's ``http.curloptResolve``."""
        address = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.host}:{self.port}:{address}"


def check_git_source(url: str) -> GitSource:
    """``url`` as the one address git may fetch from; ``PolicyRefusal`` naming why not."""
    parsed = urllib.parse.urlsplit(url.strip())
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise PolicyRefusal("git_url", _("Use the https:// address of the repository."))
    if parsed.username or parsed.password:
        raise PolicyRefusal(
            "git_url", _("Put no user name or password in the address: it would be stored.")
        )
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        found = socket.getaddrinfo(parsed.hostname, port, type=socket.SOCK_STREAM)
    except (ValueError, OSError, UnicodeError):
        raise PolicyRefusal(
            "git_url", _("Cannot find %(host)s.") % {"host": parsed.hostname}
        ) from None
    addresses = sorted({_plain(ipaddress.ip_address(info[4][0])) for info in found}, key=str)
    for address in addresses:
        if not address.is_global and not _allowed(address):
            raise PolicyRefusal(
                "git_url",
                _("%(host)s is at %(address)s, an address of this machine or of a private "
                  "network: stacks are read from repositories on the internet, unless the "
                  "administrator allows that network (DOCKBOARD_GIT_ALLOWED_NETWORKS).")
                % {"host": parsed.hostname, "address": address},
            )  # fmt: skip
    return GitSource(parsed.geturl(), parsed.hostname, port, str(addresses[0]))


def _plain(address: Address) -> Address:
    """An IPv4 address written as IPv6 (``::ffff:10.0.0.1``) is that IPv4 address."""
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _allowed(address: Address) -> bool:
    return any(address in network for network in settings.DOCKBOARD_GIT_ALLOWED_NETWORKS)
