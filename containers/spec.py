"""What `docker create` / `docker run` would be given: parsed from the form, turned into the
engine's create parameters and into the equivalent command line."""

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from dashboard.engine.containers import host_config as engine_host_config
from dashboard.notation.units import parse_size

PORT = re.compile(
    r"^(?:(?:(?P<ip>\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?(?P<host>\d*):)?"
    r"(?P<container>\d+)(?:/(?P<proto>tcp|udp|sctp))?$",
    re.ASCII,
)
ENV_NAME = re.compile(r"^[^=\s]+$")
# As the CLI reads --restart: any policy may name a count (the engine refuses one above 0 except
# for on-failure), and an empty count is 0.
RESTART = re.compile(r"^(no|always|unless-stopped|on-failure)(?::(\d*))?$", re.ASCII)
MINIMUM_MEMORY = 6 * 1024 * 1024  # the engine refuses less than 6 MiB


class SpecError(ValueError):
    """A field's value the engine would refuse; ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PortSpec:
    container_port: int
    protocol: str = "tcp"
    host_ip: str = ""
    host_port: str = ""

    @property
    def key(self) -> str:
        return f"{self.container_port}/{self.protocol}"

    @property
    def cli(self) -> str:
        inside = str(self.container_port) + ("" if self.protocol == "tcp" else f"/{self.protocol}")
        if self.host_ip:
            return f"{self.host_ip}:{self.host_port}:{inside}"
        return f"{self.host_port}:{inside}" if self.host_port else inside


@dataclass(frozen=True)
class MountSpec:
    source: str
    target: str
    read_only: bool = False

    @property
    def is_bind(self) -> bool:
        return self.source.startswith("/")

    @property
    def cli(self) -> str:
        return f"{self.source}:{self.target}" + (":ro" if self.read_only else "")


@dataclass
class ContainerSpec:
    image: str
    name: str = ""
    command: list[str] = field(default_factory=list)
    entrypoint: list[str] | None = None
    interactive: bool = True
    tty: bool = True
    env: list[str] = field(default_factory=list)
    ports: list[PortSpec] = field(default_factory=list)
    mounts: list[MountSpec] = field(default_factory=list)
    workdir: str = ""
    user: str = ""
    hostname: str = ""
    restart: str = "no"
    memory: int = 0
    memory_text: str = ""
    memory_request: int = 0  # `--memory-reservation`: what quotas count (dashboard.policy)
    memory_request_text: str = ""
    cpus: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    network: str = ""
    privileged: bool = False
    cap_add: list[str] = field(default_factory=list)
    cap_drop: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    sysctls: dict[str, str] = field(default_factory=dict)
    security_opt: list[str] = field(default_factory=list)
    pid: str = ""
    ipc: str = ""
    uts: str = ""
    userns: str = ""

    def create_parameters(self, api_version: str) -> dict[str, Any]:
        """Keyword arguments for the SDK's ``APIClient.create_container``."""
        policy, _, retries = self.restart.partition(":")
        host_config = engine_host_config(
            api_version,
            port_bindings={
                p.key: [{"HostIp": p.host_ip.strip("[]"), "HostPort": p.host_port}]
                for p in self.ports
            }
            or None,
            binds=[m.cli for m in self.mounts] or None,
            restart_policy={"Name": policy, "MaximumRetryCount": int(retries or 0)},
            mem_limit=self.memory or None,
            mem_reservation=self.memory_request or None,
            nano_cpus=int(float(self.cpus) * 1e9) if self.cpus else None,
            network_mode=self.network or None,
            privileged=self.privileged,
            cap_add=self.cap_add or None,
            cap_drop=self.cap_drop or None,
            devices=self.devices or None,
            sysctls=self.sysctls or None,
            security_opt=self.security_opt or None,
            pid_mode=self.pid or None,
            ipc_mode=self.ipc or None,
            uts_mode=self.uts or None,
            userns_mode=self.userns or None,
        )
        return {
            "image": self.image,
            "name": self.name or None,
            "command": self.command or None,
            "entrypoint": self.entrypoint,
            "stdin_open": self.interactive,
            "tty": self.tty,
            "environment": self.env or None,
            "ports": [(p.container_port, p.protocol) for p in self.ports] or None,
            "volumes": [m.target for m in self.mounts] or None,
            "working_dir": self.workdir or None,
            "user": self.user or None,
            "hostname": self.hostname or None,
            "labels": self.labels or None,
            "host_config": host_config,
        }

    def command_line(self, run: bool) -> str:
        """The equivalent `docker create` / `docker run` line, quoted for a POSIX shell."""
        args = ["docker", "run" if run else "create"]
        if run and not (self.interactive and self.tty):
            args.append("-d")
        args += ["-i"] * self.interactive + ["-t"] * self.tty
        if self.name:
            args += ["--name", self.name]
        for option, value in (
            ("--hostname", self.hostname),
            ("--workdir", self.workdir),
            ("--user", self.user),
            ("--memory", self.memory_text),
            ("--memory-reservation", self.memory_request_text),
            ("--cpus", self.cpus),
            ("--network", self.network),
            ("--pid", self.pid),
            ("--ipc", self.ipc),
            ("--uts", self.uts),
            ("--userns", self.userns),
        ):
            if value:
                args += [option, value]
        if self.privileged:
            args.append("--privileged")
        for option, values in (
            ("--cap-add", self.cap_add),
            ("--cap-drop", self.cap_drop),
            ("--device", self.devices),
            ("--security-opt", self.security_opt),
            ("--sysctl", [f"{k}={v}" for k, v in self.sysctls.items()]),
        ):
            for value in values:
                args += [option, value]
        if self.restart != "no":
            args += ["--restart", self.restart]
        for line in self.env:
            args += ["-e", line]
        for port in self.ports:
            args += ["-p", port.cli]
        for mount in self.mounts:
            args += ["-v", mount.cli]
        for key, value in self.labels.items():
            args += ["--label", f"{key}={value}"]
        if self.entrypoint is not None:
            args += ["--entrypoint", shlex.join(self.entrypoint)]
        return shlex.join([*args, self.image, *self.command])


def parse_ports(text: str) -> list[PortSpec]:
    ports = []
    for line in _lines(text):
        match = PORT.match(line)
        if not match or not 0 < int(match["container"]) < 65536:
            raise SpecError("ports", _("Invalid port mapping %(line)s.") % {"line": repr(line)})
        host = match["host"] or ""
        if host and not 0 <= int(host) < 65536:  # 0: any free port, as the CLI reads it
            raise SpecError("ports", _("Invalid host port in %(line)s.") % {"line": repr(line)})
        ip = match["ip"] or ""
        if ip and "." in ip and any(int(part) > 255 for part in ip.split(".")):
            raise SpecError("ports", _("Invalid host address in %(line)s.") % {"line": repr(line)})
        ports.append(PortSpec(int(match["container"]), match["proto"] or "tcp", ip, host))
    return ports


def parse_mounts(text: str) -> list[MountSpec]:
    mounts = []
    for line in _lines(text):
        parts = line.split(":")
        read_only = len(parts) == 3 and parts[2] == "ro"
        if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ("ro", "rw")):
            raise SpecError(
                "mounts",
                _("Invalid volume %(line)s: use SOURCE:TARGET[:ro].") % {"line": repr(line)},
            )
        source, target = parts[0], parts[1]
        if not source or not target.startswith("/"):
            raise SpecError(
                "mounts",
                _("Invalid volume %(line)s: the target must be an absolute path.")
                % {"line": repr(line)},
            )
        mounts.append(MountSpec(source, target, read_only))
    return mounts


def parse_pairs(text: str, field_name: str, *, allow_bare: bool = False) -> list[str]:
    """KEY=VALUE lines (environment, labels); with ``allow_bare``, a bare KEY too (as `-e KEY`)."""
    pairs = []
    for line in _lines(text):
        key, sep, _value = line.partition("=")
        if not ENV_NAME.match(key) or (not sep and not allow_bare):
            raise SpecError(
                field_name, _("Invalid line %(line)s: use KEY=VALUE.") % {"line": repr(line)}
            )
        pairs.append(line)
    return pairs


def parse_memory(text: str, field: str = "memory") -> int:
    text = text.strip()
    if not text:
        return 0
    try:
        value = parse_size(text)
    except ValueError:
        raise SpecError(
            field,
            _("Invalid memory %(value)s: use a number with b, k, m or g.") % {"value": repr(text)},
        ) from None
    if 0 < value < MINIMUM_MEMORY:  # 0 is no limit, as with `docker create -m 0`
        raise SpecError(field, _("The memory limit must be at least 6m."))
    return value


def parse_restart(text: str) -> str:
    text = text.strip() or "no"
    if not RESTART.match(text):
        raise SpecError("restart", _("Invalid restart policy %(value)s.") % {"value": repr(text)})
    return text


def split_command(text: str, field_name: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise SpecError(
            field_name, _("Cannot read this as a command: %(error)s.") % {"error": exc}
        ) from None


def parse_words(text: str) -> list[str]:
    """Values given one a line or separated by spaces or commas (capabilities, devices)."""
    return [word for word in re.split(r"[\s,]+", text) if word]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
