"""A `POST /containers/create` body, as the CLI, compose or the SDK send it, turned into the
create parameters the policy gate checks (the SDK's ``create_container`` arguments), with the
`docker create` command line it stands for.

Default deny: a key of the body that is not known here and not empty is refused, whatever its
name; the ones known are handed to the gate, which holds them to the team's policy.
"""

import shlex
from typing import Any

from dockerapi.calls import ApiError

# Config keys and the create_container argument each becomes.
CONFIG = {
    "Image": "image",
    "Cmd": "command",
    "Entrypoint": "entrypoint",
    "Tty": "tty",
    "OpenStdin": "stdin_open",
    "Env": "environment",
    "WorkingDir": "working_dir",
    "User": "user",
    "Hostname": "hostname",
    "Labels": "labels",
    "StopSignal": "stop_signal",
    "StopTimeout": "stop_timeout",
}
# Keys the CLI always sends, which the SDK derives from the others (``detach``, ``stdin_open``).
DERIVED = {"AttachStdin", "AttachStdout", "AttachStderr", "StdinOnce", "HostConfig"}
# Keys that are {name: {}} maps in the API and lists for the SDK.
LISTS = {"ExposedPorts": "ports", "Volumes": "volumes"}
# HostConfig keys of the client's own terminal, which bind nothing on the engine's host.
TERMINAL_ONLY = {"ConsoleSize"}
# What the CLI sends for an option left unset, where that is not an empty value.
UNSET = {"MemorySwappiness": -1}


# The JSON type of each key a member's create may set, as the Engine API defines it; a value of
# another type is refused here, before the gate compares or copies it.
STRING, INTEGER, BOOLEAN = "string", "integer", "boolean"
STRINGS, LABELS, OBJECT, COMMAND = "strings", "labels", "object", "command"
TYPES = {
    "Image": STRING,
    "Cmd": COMMAND,
    "Entrypoint": COMMAND,
    "Tty": BOOLEAN,
    "OpenStdin": BOOLEAN,
    "Env": STRINGS,
    "WorkingDir": STRING,
    "User": STRING,
    "Hostname": STRING,
    "Labels": LABELS,
    "StopSignal": STRING,
    "StopTimeout": INTEGER,
    "ExposedPorts": OBJECT,
    "Volumes": OBJECT,
    "Binds": STRINGS,
    "NetworkMode": STRING,
    "PortBindings": OBJECT,
    "Memory": INTEGER,
    "NanoCpus": INTEGER,
    "RestartPolicy": OBJECT,
    "AutoRemove": BOOLEAN,
}


def _is(value: Any, kind: str) -> bool:
    strings = isinstance(value, list) and all(isinstance(v, str) for v in value)
    return {
        STRING: isinstance(value, str),
        INTEGER: isinstance(value, int) and not isinstance(value, bool),
        BOOLEAN: isinstance(value, bool),
        STRINGS: strings,
        COMMAND: isinstance(value, str) or strings,
        OBJECT: isinstance(value, dict),
        LABELS: isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
    }[kind]


def is_strings(value: Any) -> bool:
    return _is(value, STRINGS)


def _check_types(values: dict[str, Any]) -> None:
    for key, value in values.items():
        if key in TYPES and value is not None and not _is(value, TYPES[key]):
            raise ApiError(400, f"{key} must be of type {TYPES[key]}.")


def is_empty(value: Any) -> bool:
    """An option left at its default: the CLI sends every key, most of them empty."""
    if isinstance(value, dict):
        return all(is_empty(v) for v in value.values())
    if isinstance(value, list):
        return all(is_empty(v) for v in value)
    return value in (None, False, "", 0)


def only_known(body: dict[str, Any], known: set[str], what: str) -> None:
    """Default deny for a create's body: every key not in ``known`` is left empty."""
    for key, value in body.items():
        if key not in known and not is_empty(value):
            raise ApiError(403, f"Dockboard does not let {key} through to {what}.")


def create_parameters(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The gate's parameters for this body; ``ApiError`` 400 for what cannot be one."""
    parameters: dict[str, Any] = {"name": name or None}
    host_config = body.get("HostConfig") or {}
    if not isinstance(host_config, dict):
        raise ApiError(400, "HostConfig is not an object.")
    _check_types(body)
    _check_types(host_config)
    for key, value in body.items():
        if key in CONFIG:
            parameters[CONFIG[key]] = value
        elif key in LISTS:
            parameters[LISTS[key]] = list(value or {})
        elif key not in DERIVED and key != "NetworkingConfig" and not is_empty(value):
            raise ApiError(403, f"Dockboard does not let {key} through to the engine.")
    if not isinstance(parameters.get("image"), str) or not parameters["image"]:
        raise ApiError(400, "No image was named.")
    parameters["detach"] = not body.get("AttachStdout") and not body.get("AttachStdin")
    parameters["host_config"] = {
        key: value
        for key, value in host_config.items()
        if not is_empty(value) and key not in TERMINAL_ONLY and UNSET.get(key, 0) != value
    }
    aliases = _aliases(body.get("NetworkingConfig") or {}, host_config.get("NetworkMode") or "")
    if aliases:
        endpoint = {"Aliases": aliases}
        parameters["networking_config"] = {
            "EndpointsConfig": {host_config["NetworkMode"]: endpoint}
        }
    return parameters


def _aliases(networking: dict[str, Any], mode: str) -> list[str]:
    """`--network NAME` also names the network in EndpointsConfig, with every setting empty
    but, from compose, the names the container answers to there (``--network-alias``); the
    aliases asked for. Anything more (a fixed address, a second network) is refused."""
    endpoints = networking.get("EndpointsConfig") or {} if isinstance(networking, dict) else None
    if endpoints is None or not isinstance(endpoints, dict):
        raise ApiError(400, "NetworkingConfig is not an object.")
    aliases: list[str] = []
    for network, settings in endpoints.items():
        asked = settings.get("Aliases") if isinstance(settings, dict) else None
        rest = {k: v for k, v in settings.items() if k != "Aliases"} if asked else settings
        if network != mode or not is_empty(rest):
            raise ApiError(
                403, "Dockboard lets a container join one network, named by --network, only."
            )
        if asked:
            if not is_strings(asked):
                raise ApiError(400, "Aliases must be of type strings.")
            aliases = asked
    return aliases


def command_line(parameters: dict[str, Any]) -> str:
    """The `docker create` line the parameters stand for, as the audit log shows it."""
    host = parameters.get("host_config") or {}
    words = ["docker", "create"]
    if parameters.get("name"):
        words += ["--name", parameters["name"]]
    words += ["-i"] * bool(parameters.get("stdin_open")) + ["-t"] * bool(parameters.get("tty"))
    words += ["--rm"] * bool(host.get("AutoRemove"))
    words += ["--privileged"] * bool(host.get("Privileged"))
    for bind in host.get("Binds") or []:
        words += ["-v", str(bind)]
    if host.get("NetworkMode") not in (None, "", "default"):
        words += ["--network", str(host["NetworkMode"])]
    words.append(str(parameters.get("image") or ""))
    command = parameters.get("command") or []
    words += [str(c) for c in command] if isinstance(command, list) else [str(command)]
    return shlex.join(words)
