"""A valid compose file as the objects `docker-compose up` makes of it: networks, volumes, and
each service's container, in the order their ``depends_on`` starts them. Names follow
docker-compose 1.29: ``PROJECT_SERVICE_1``, ``PROJECT_default``, ``PROJECT_VOLUME``.

A key this reading does not carry out is refused with its line, never dropped: a stack runs as
its file says, or not at all."""

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from dashboard.notation.compose_file import ComposeDocument, ComposeError
from dashboard.notation.units import parse_cpus, parse_size

PROJECT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$", re.ASCII)
PORT = re.compile(
    r"^(?:(?:(?P<ip>[0-9.]+|\[[0-9a-fA-F:]+\]):)?(?P<host>\d*):)?(?P<container>\d+)"
    r"(?:/(?P<protocol>tcp|udp|sctp))?$",
    re.ASCII,
)
# Keys whose meaning this reading carries out; the gate then decides what a user may ask for.
SERVICE_KEYS = {
    "image", "command", "entrypoint", "environment", "ports", "volumes", "networks",
    "network_mode", "depends_on", "restart", "working_dir", "user", "hostname", "labels", "tty",
    "stdin_open", "container_name", "mem_limit", "mem_reservation", "cpus", "privileged",
    "cap_add", "cap_drop", "pid", "ipc", "devices", "security_opt", "sysctls", "stop_signal",
    "stop_grace_period", "expose",
}  # fmt: skip
TOP_KEYS = {"version", "services", "networks", "volumes"}
OBJECT_KEYS = {"external", "name", "labels", "driver"}
RESTART = {"no", "always", "unless-stopped", "on-failure"}
COMPOSE_LABEL = "com.docker.compose"
PROJECT_LABEL = f"{COMPOSE_LABEL}.project"
SERVICE_LABEL = f"{COMPOSE_LABEL}.service"


@dataclass(frozen=True)
class Port:
    container_port: int
    protocol: str = "tcp"
    host_ip: str = ""
    host_port: str = ""


@dataclass(frozen=True)
class Mount:
    source: str  # a volume's key in the file, a host path, or "" for an anonymous volume
    target: str
    read_only: bool = False
    bind: bool = False


@dataclass(frozen=True)
class Attachment:
    network: str  # the network's key in the file
    aliases: tuple[str, ...] = ()


@dataclass
class Service:
    name: str
    line: int
    image: str
    container_name: str
    command: list[str] | None = None
    entrypoint: list[str] | None = None
    environment: list[str] = field(default_factory=list)
    ports: list[Port] = field(default_factory=list)
    expose: list[str] = field(default_factory=list)
    mounts: list[Mount] = field(default_factory=list)
    networks: list[Attachment] = field(default_factory=list)
    network_mode: str = ""
    depends_on: list[str] = field(default_factory=list)
    restart: str = "no"
    working_dir: str = ""
    user: str = ""
    hostname: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    tty: bool = False
    stdin_open: bool = False
    memory: int = 0
    memory_request: int = 0
    cpus: str = ""
    privileged: bool = False
    cap_add: list[str] = field(default_factory=list)
    cap_drop: list[str] = field(default_factory=list)
    pid: str = ""
    ipc: str = ""
    devices: list[str] = field(default_factory=list)
    security_opt: list[str] = field(default_factory=list)
    sysctls: dict[str, str] = field(default_factory=dict)
    stop_signal: str = ""
    stop_timeout: int | None = None


@dataclass(frozen=True)
class StackObject:
    """A network or a volume of the stack: its key in the file and its name on the engine."""

    key: str
    name: str
    external: bool = False
    labels: tuple[tuple[str, str], ...] = ()


@dataclass
class Project:
    name: str
    services: list[Service]  # in start order
    networks: list[StackObject]
    volumes: list[StackObject]

    def network_named(self, key: str) -> str:
        return next(n.name for n in self.networks if n.key == key)

    def volume_named(self, key: str) -> str:
        return next(v.name for v in self.volumes if v.key == key)


def check_project_name(name: str) -> None:
    if not PROJECT_NAME.match(name):
        raise ComposeError(
            _("A stack's name is lower-case letters, digits, _ and - (at most 63), as "
              "docker-compose -p takes it.")
        )  # fmt: skip


def project(name: str, document: ComposeDocument) -> Project:
    """The stack ``name`` of the document; ``ComposeError`` for a key it does not carry out."""
    check_project_name(name)
    data = document.data
    _only(document, (), data, TOP_KEYS)
    services_data = data.get("services") or {}
    if not services_data:
        raise ComposeError(_("A stack has at least one service."), document.line("services"))
    networks = _objects(document, name, "networks", data.get("networks") or {})
    if not any(n.key == "default" for n in networks):
        networks.insert(0, StackObject("default", f"{name}_default"))
    volumes = _objects(document, name, "volumes", data.get("volumes") or {})
    services = [
        _service(document, name, key, value or {}, {n.key for n in networks}, volumes)
        for key, value in services_data.items()
    ]
    used = {a.network for s in services for a in s.networks}
    networks = [n for n in networks if n.key in used]  # as 1.29: an unused one is not made
    return Project(name, _start_order(document, services), networks, volumes)


def _only(document: ComposeDocument, path: tuple, data: dict, keys: set[str]) -> None:
    for key in data:
        if key not in keys and not str(key).startswith("x-"):
            raise ComposeError(
                _("%(key)s is not supported in Dockboard's stacks.") % {"key": key},
                document.key_line(*path, key),
            )


def _objects(document: ComposeDocument, project_name: str, kind: str, data: dict) -> list:
    found = []
    for key, value in data.items():
        value = value or {}
        _only(document, (kind, key), value, OBJECT_KEYS)
        driver = value.get("driver") or ""
        if driver not in ("", "bridge" if kind == "networks" else "local"):
            raise ComposeError(
                _("Driver %(driver)s is not supported in Dockboard's stacks.") % {"driver": driver},
                document.line(kind, key, "driver"),
            )
        external = value.get("external")
        if isinstance(external, dict):  # the older form: external: {name: ...}
            value = {**value, "name": external.get("name") or value.get("name")}
        named = value.get("name") or (key if external else f"{project_name}_{key}")
        found.append(
            StackObject(key, named, bool(external), tuple(_pairs(value.get("labels")).items()))
        )
    return found


def _service(
    document: ComposeDocument,
    project_name: str,
    key: str,
    data: dict,
    network_keys: set[str],
    volumes: list[StackObject],
) -> Service:
    path = ("services", key)
    _only(document, path, data, SERVICE_KEYS)
    if not data.get("image"):
        raise ComposeError(
            _("Service %(service)s needs an image: build it on the Build page, then name it.")
            % {"service": key},
            document.key_line(*path),
        )
    service = Service(
        name=key,
        line=document.key_line(*path),
        image=str(data["image"]),
        container_name=data.get("container_name") or f"{project_name}_{key}_1",
        command=_words(data.get("command")),
        entrypoint=_words(data.get("entrypoint")),
        environment=[
            f"{k}={v}" if v is not None else k for k, v in _pairs(data.get("environment")).items()
        ],
        ports=[
            _port(document, (*path, "ports", i), p) for i, p in enumerate(data.get("ports", []))
        ],
        expose=[
            _exposed(document, (*path, "expose", i), port)
            for i, port in enumerate(data.get("expose", []))
        ],
        mounts=[
            _mount(document, (*path, "volumes", i), m, volumes)
            for i, m in enumerate(data.get("volumes", []))
        ],
        network_mode=data.get("network_mode") or "",
        depends_on=list(_depends_on(document, path, data.get("depends_on"))),
        restart=_restart(document, path, data.get("restart")),
        working_dir=data.get("working_dir") or "",
        user=str(data.get("user") or ""),
        hostname=data.get("hostname") or "",
        labels=_pairs(data.get("labels")),
        tty=bool(data.get("tty")),
        stdin_open=bool(data.get("stdin_open")),
        memory=_size(document, (*path, "mem_limit"), data.get("mem_limit")),
        memory_request=_size(document, (*path, "mem_reservation"), data.get("mem_reservation")),
        cpus=_cpus(document, (*path, "cpus"), data.get("cpus")),
        privileged=bool(data.get("privileged")),
        cap_add=list(data.get("cap_add", [])),
        cap_drop=list(data.get("cap_drop", [])),
        pid=data.get("pid") or "",
        ipc=data.get("ipc") or "",
        devices=list(data.get("devices", [])),
        security_opt=list(data.get("security_opt", [])),
        sysctls={k: str(v) for k, v in _pairs(data.get("sysctls")).items()},
        stop_signal=data.get("stop_signal") or "",
        stop_timeout=_seconds(
            document, (*path, "stop_grace_period"), data.get("stop_grace_period")
        ),
    )
    if not service.network_mode:
        service.networks = _attachments(document, path, data.get("networks"), network_keys)
    elif data.get("networks"):
        raise ComposeError(
            _("network_mode and networks cannot both be set."), document.line(*path, "networks")
        )
    return service


def _pairs(value: Any) -> dict[str, Any]:
    """A mapping, or a list of KEY=VALUE (KEY alone: None), as compose takes both."""
    if isinstance(value, dict):
        return {str(k): (None if v is None else _scalar(v)) for k, v in value.items()}
    pairs: dict[str, Any] = {}
    for item in value or []:
        key, sep, rest = str(item).partition("=")
        pairs[key] = rest if sep else None
    return pairs


def _scalar(value: Any) -> str:
    if isinstance(value, bool):  # YAML's true is "true" in the environment, as compose writes it
        return str(value).lower()
    return str(value)


def _words(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return shlex.split(value)
    return [str(word) for word in value]


def _port(document: ComposeDocument, path: tuple, value: Any) -> Port:
    if isinstance(value, dict):
        return Port(
            int(value["target"]),
            value.get("protocol") or "tcp",
            value.get("host_ip") or "",
            str(value.get("published") or ""),
        )
    match = PORT.match(str(value))
    if not match or not 0 < int(match["container"]) < 65536:
        raise ComposeError(
            _("Invalid port %(port)s: use [HOST_IP:][HOST_PORT:]PORT[/PROTOCOL], one port a "
              "line (ranges are not supported).") % {"port": repr(value)},
            document.line(*path),
        )  # fmt: skip
    return Port(
        int(match["container"]), match["protocol"] or "tcp", match["ip"] or "", match["host"] or ""
    )


def _exposed(document: ComposeDocument, path: tuple, value: Any) -> str:
    if not re.fullmatch(r"\d{1,5}(?:/(?:tcp|udp|sctp))?", str(value), re.ASCII):
        raise ComposeError(
            _("Invalid port %(port)s: use PORT[/PROTOCOL].") % {"port": repr(value)},
            document.line(*path),
        )
    return str(value)


def _mount(document: ComposeDocument, path: tuple, value: Any, volumes: list[StackObject]) -> Mount:
    if isinstance(value, dict):
        kind = value.get("type", "volume")
        if kind not in ("volume", "bind"):
            raise ComposeError(
                _("Mounts of type %(type)s are not supported in Dockboard's stacks.")
                % {"type": kind},
                document.line(*path),
            )
        source, target = value.get("source") or "", value.get("target") or ""
        mount = Mount(source, target, bool(value.get("read_only")), kind == "bind")
    else:
        parts = str(value).split(":")
        mode = parts[2] if len(parts) == 3 else "rw"
        if len(parts) > 3 or mode not in ("ro", "rw"):
            raise ComposeError(
                _("Invalid volume %(volume)s: use SOURCE:TARGET[:ro].") % {"volume": repr(value)},
                document.line(*path),
            )
        source, target = (parts[0], parts[1]) if len(parts) > 1 else ("", parts[0])
        mount = Mount(source, target, mode == "ro", source.startswith(("/", ".", "~")))
    if not mount.target.startswith("/"):
        raise ComposeError(_("A mount's target is an absolute path."), document.line(*path))
    if mount.bind and not mount.source.startswith("/"):
        raise ComposeError(
            _("A stack has no folder of its own on the server: name a host path from /, or "
              "use a volume."),
            document.line(*path),
        )  # fmt: skip
    if not mount.bind and mount.source and mount.source not in {v.key for v in volumes}:
        raise ComposeError(
            _("Volume %(volume)s is not declared under the file's volumes:.")
            % {"volume": mount.source},
            document.line(*path),
        )
    return mount


def _depends_on(document: ComposeDocument, path: tuple, value: Any) -> list[str]:
    if isinstance(value, dict):
        for name, condition in value.items():
            if (condition or {}).get("condition", "service_started") != "service_started":
                raise ComposeError(
                    _("Only the condition service_started is supported in Dockboard's stacks."),
                    document.line(*path, "depends_on", name),
                )
    return [str(name) for name in value or []]


def _restart(document: ComposeDocument, path: tuple, value: Any) -> str:
    text = str(value or "no")
    policy, _sep, count = text.partition(":")
    if policy not in RESTART or (count and not count.isdecimal()):
        raise ComposeError(
            _("Invalid restart policy %(value)s.") % {"value": repr(text)},
            document.line(*path, "restart"),
        )
    return text


def _size(document: ComposeDocument, path: tuple, value: Any) -> int:
    if value in (None, ""):
        return 0
    try:
        return int(value) if isinstance(value, int) else parse_size(str(value))
    except ValueError:
        raise ComposeError(
            _("Invalid size %(value)s: use a number with b, k, m or g.") % {"value": repr(value)},
            document.line(*path),
        ) from None


def _cpus(document: ComposeDocument, path: tuple, value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return str(parse_cpus(str(value)))
    except ValueError:
        raise ComposeError(
            _("Invalid number of CPUs %(value)s.") % {"value": repr(value)}, document.line(*path)
        ) from None


def _seconds(document: ComposeDocument, path: tuple, value: Any) -> int | None:
    if value in (None, ""):
        return None
    match = re.fullmatch(r"(\d+)(s|m)?", str(value))
    if not match:
        raise ComposeError(
            _("Invalid duration %(value)s: use seconds, like 10s.") % {"value": repr(value)},
            document.line(*path),
        )
    return int(match[1]) * (60 if match[2] == "m" else 1)


def _attachments(
    document: ComposeDocument, path: tuple, value: Any, network_keys: set[str]
) -> list[Attachment]:
    service = path[-1]
    items = value if isinstance(value, dict) else dict.fromkeys(value or ["default"])
    attachments = []
    for key, settings in items.items():
        if key not in network_keys:
            raise ComposeError(
                _("Network %(network)s is not declared under the file's networks:.")
                % {"network": key},
                document.line(*path, "networks"),
            )
        settings = settings or {}
        _only(document, (*path, "networks", key), settings, {"aliases"})
        aliases = (service, *(str(a) for a in settings.get("aliases") or []))
        attachments.append(Attachment(key, aliases))
    return attachments


def _start_order(document: ComposeDocument, services: list[Service]) -> list[Service]:
    """Each service after those it depends on, as `docker-compose up` starts them."""
    by_name = {s.name: s for s in services}
    ordered: list[Service] = []
    visiting: set[str] = set()

    def visit(service: Service) -> None:
        if any(s.name == service.name for s in ordered):
            return
        if service.name in visiting:
            raise ComposeError(
                _("Service %(service)s depends on itself, through depends_on.")
                % {"service": service.name},
                service.line,
            )
        visiting.add(service.name)
        for name in service.depends_on:
            if name not in by_name:
                raise ComposeError(
                    _("Service %(service)s depends on %(other)s, which is not in the file.")
                    % {"service": service.name, "other": name},
                    document.line("services", service.name, "depends_on"),
                )
            visit(by_name[name])
        visiting.discard(service.name)
        ordered.append(service)

    for service in services:
        visit(service)
    return ordered
