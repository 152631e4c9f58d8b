"""The engines Dockboard manages: ``local`` (``DOCKER_HOST``) and those administrators add by
address (``unix://…``, ``tcp://host:2376`` with a TLS client certificate, ``ssh://user@host``).

TLS files are kept in the data directory, ``engines/NAME/{ca,cert,key}.pem``, mode 0600.
"""

import ipaddress
import os
import re
import shutil
import urllib.parse
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from dashboard.models import Engine, Team

LOCAL = "local"
ALL = "all"  # not an engine: /engines/all/containers/ lists every engine's containers
TLS_FILES = ("ca", "cert", "key")
OVERCOMMIT_RANGE = (Decimal("0.1"), Decimal("20"))
ENGINE_NAME = re.compile(r"^[-a-zA-Z0-9_]{1,40}$", re.ASCII)


class EngineConfigError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class EngineAddress:
    name: str
    address: str
    tls: bool = False
    overcommit: Decimal | None = None  # None: DOCKBOARD_OVERCOMMIT

    @property
    def memory_ratio(self) -> float:
        """How much of its memory its running containers may request, as placement counts."""
        ratio = self.overcommit if self.overcommit is not None else settings.DOCKBOARD_OVERCOMMIT
        return float(ratio)

    @property
    def tls_dir(self) -> Path:
        return Path(settings.DATA_DIR) / "engines" / self.name

    def tls_files(self) -> dict[str, str]:
        """The paths of its TLS files (``ca``, ``cert``, ``key``)."""
        return {kind: str(self.tls_dir / f"{kind}.pem") for kind in TLS_FILES}


def local() -> EngineAddress:
    return EngineAddress(LOCAL, settings.DOCKER_HOST)


def find(name: str) -> EngineAddress | None:
    if name == LOCAL:
        return local()
    row = Engine.objects.filter(name=name).first()
    return _address(row) if row else None


def _address(row: Engine) -> EngineAddress:
    return EngineAddress(row.name, row.address, row.tls, row.overcommit)


def usable_engines(user: object) -> list[str]:
    """The engines a user works on: all (administrators), else their teams' engines."""
    if getattr(user, "is_superuser", False):
        return [e.name for e in every_engine()]
    names = Team.objects.filter(memberships__user=user).values_list("engines", flat=True)
    return list(dict.fromkeys(name for text in names for name in text.split()))


def every_engine() -> list[EngineAddress]:
    return [local(), *(_address(row) for row in Engine.objects.all())]


def _check_address(address: str, tls: bool) -> None:
    parts = urllib.parse.urlsplit(address)
    if parts.scheme == "unix" and parts.path:
        return
    if parts.scheme == "ssh" and parts.hostname:
        return
    if parts.scheme == "tcp" and parts.hostname and parts.port:
        if tls or _is_loopback(parts.hostname):
            return
        raise EngineConfigError(
            _("A tcp:// engine needs a TLS client certificate unless it is on loopback.")
        )
    raise EngineConfigError(
        _("Use unix:///path, tcp://host:port or ssh://user@host, not %(address)s.")
        % {"address": repr(address)}
    )


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def add(
    name: str,
    address: str,
    tls_files: dict[str, bytes] | None = None,
    overcommit: Decimal | None = None,
) -> Engine:
    """Add an engine; ``tls_files`` maps ca, cert and key to their PEM contents (all or none)."""
    if not ENGINE_NAME.match(name):
        raise EngineConfigError(
            _("Name an engine with letters, digits, - and _ (it is part of its pages' paths).")
        )
    if name in (LOCAL, ALL) or Engine.objects.filter(name=name).exists():
        raise EngineConfigError(_("An engine named %(name)s exists already.") % {"name": name})
    if tls_files and sorted(tls_files) != sorted(TLS_FILES):
        raise EngineConfigError(
            _("TLS needs all three files: the CA, the certificate and the key.")
        )
    _check_address(address, bool(tls_files))
    _check_overcommit(overcommit)
    with transaction.atomic():
        engine = Engine.objects.create(
            name=name, address=address, tls=bool(tls_files), overcommit=overcommit
        )
        if tls_files:
            target = EngineAddress(name, address, True).tls_dir
            target.mkdir(parents=True, mode=0o700, exist_ok=True)
            for kind, content in tls_files.items():
                fd = os.open(target / f"{kind}.pem", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as pem:
                    pem.write(content)
    return engine


def _check_overcommit(ratio: Decimal | None) -> None:
    low, high = OVERCOMMIT_RANGE
    if ratio is not None and not low <= ratio <= high:
        raise EngineConfigError(
            _("An overcommit ratio is between %(low)s and %(high)s.") % {"low": low, "high": high}
        )


def set_overcommit(name: str, ratio: Decimal | None) -> None:
    """The engine's own overcommit ratio (None: the installation's); ``local`` has only that."""
    if name == LOCAL:
        raise EngineConfigError(
            _("The local engine's overcommit ratio is DOCKBOARD_OVERCOMMIT, in the environment.")
        )
    _check_overcommit(ratio)
    if not Engine.objects.filter(name=name).update(overcommit=ratio):
        raise EngineConfigError(_("No such engine: %(name)s") % {"name": name})


def remove(name: str) -> None:
    found = find(name)
    if found is None or name == LOCAL:
        raise EngineConfigError(_("No such engine: %(name)s") % {"name": name})
    Engine.objects.filter(name=name).delete()
    shutil.rmtree(found.tls_dir, ignore_errors=True)
