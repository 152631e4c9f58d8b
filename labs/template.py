"""Lab templates: a TOML file read into a ``LabTemplate``, or refused with the line and the reason.

The policy's fixed rules are applied here, at import: a service may ask for nothing the gate
refuses every team (privileged, capabilities, devices, host paths, host networking, ports).
A team's own rules (images, limits) are checked when a class is opened for it, and every
container is made through the gate all the same.
"""

import functools
import hashlib
import random
import re
import string
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import rstr
from django.utils.translation import gettext as _

from dashboard.notation.korean import particles
from labs.template_reader import Reader, TemplateError, Text
from labs.toml_lines import KeyPath

__all__ = ["LabTemplate", "TemplateError", "Text", "parse", "substitute"]

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
BUILTINS = {"learner"}  # ${learner}: the learner's user name, as a container name may hold it
CONTAINER_STATES = {"created", "running", "paused", "restarting", "exited", "dead"}
ANSWERS = {"id", "hostname", "layers", "changes"}
# An absolute path of plain names (no "..", no ":" that would end a bind's target).
WORKSPACE_PATH = re.compile(r"^(/(?!\.\.?(/|$))[A-Za-z0-9_.-]+)+/?$")
MEMORY = re.compile(r"^(\d+)([kmg]?)b?$", re.IGNORECASE | re.ASCII)
MAX_CHECK_SECONDS = 60


@dataclass(frozen=True)
class Parameter:
    name: str
    default: str
    pattern: str
    image: bool = False  # its value is an image the learner is told to use (`image = true`)
    # Values one of which each learner gets (`per_learner = [...]`), so that neighbours' answers
    # differ; the class's value is then not asked for.
    per_learner: tuple[str, ...] = ()
    # Each learner's value is drawn from the pattern (`per_learner = true`).
    drawn: bool = False

    @property
    def is_per_learner(self) -> bool:
        return self.drawn or bool(self.per_learner)

    def value_for(self, class_id: int, learner_id: int, class_value: str) -> str:
        """The learner's own value: the same one every time for that learner in that class."""
        if not self.is_per_learner:
            return class_value
        seed = hashlib.sha256(f"{class_id}:{learner_id}:{self.name}".encode()).digest()
        if self.drawn:
            return _draw(self.pattern, int.from_bytes(seed[:8]))
        return self.per_learner[int.from_bytes(seed[:8]) % len(self.per_learner)]


def _draw(pattern: str, seed: int) -> str:
    """A value that matches the pattern, the same one for the same seed (a seeded generator:
    these are exercises' answers, not secrets)."""
    return rstr.Rstr(random.Random(seed)).xeger(pattern)  # noqa: S311


@dataclass(frozen=True)
class Service:
    name: str
    image: str
    command: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    memory: int  # bytes; 0: the team's maximum
    cpus: Decimal  # 0: the team's maximum
    interactive: bool
    tty: bool
    # What it requests (quotas and placement count these): 0, the team's request.
    memory_request: int = 0
    cpus_request: Decimal = Decimal(0)
    # A workstation: Dockboard's image with the `docker` CLI and the session's own socket.
    workstation: bool = False
    # Where the learner's workspace (a volume of theirs, kept across sessions) is mounted.
    workspace: str = ""


@dataclass(frozen=True)
class Check:
    kind: str  # "exec", "engine" or "command"
    service: str = ""
    ran: str = ""  # a command check's: the `docker` line the learner ran, as it begins
    script: str = ""
    timeout: int = MAX_CHECK_SECONDS
    container: tuple[tuple[str, Any], ...] = ()
    image: str = ""
    pulled: bool = False  # the learner pulled ``image`` in this session (not just: it is here)
    diff: tuple[tuple[str, str], ...] = ()
    answer: str = ""


CHECK_KEYS = {
    "kind", "service", "script", "timeout", "container", "image", "pulled", "diff", "answer", "ran",
}  # fmt: skip


@dataclass(frozen=True)
class Step:
    title: Text
    text: Text
    hints: tuple[Text, ...]
    checks: tuple[Check, ...]

    @property
    def answer(self) -> str:
        return next((check.answer for check in self.checks if check.answer), "")


@dataclass(frozen=True)
class LabTemplate:
    slug: str
    title: Text
    description: Text
    parameters: tuple[Parameter, ...]
    services: tuple[Service, ...]
    minutes: int
    idle_minutes: int
    extend_minutes: int
    max_extend_minutes: int
    setup_service: str
    setup_script: str
    steps: tuple[Step, ...]

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)

    def images(self, values: dict[str, str]) -> set[str]:
        """The images to pull (a workstation's is built here)."""
        return {substitute(s.image, values) for s in self.services if not s.workstation}

    @property
    def workspace_service(self) -> Service | None:
        """The service that mounts the learner's workspace, if the lab keeps one."""
        return next((s for s in self.services if s.workspace), None)

    def shared_images(self, values: dict[str, str]) -> set[str]:
        """``all_images`` but those named after each learner (``${learner}``), which are known
        only as each session starts."""
        return self.all_images({**values, "learner": "learner-a"}) & self.all_images(
            {**values, "learner": "learner-b"}
        )

    def made_with(self) -> set[str]:
        """The names (parameters, ``learner``) its objects are made with: in its services'
        images, commands and environments, and in its setup script."""
        texts = [self.setup_script]
        for service in self.services:
            texts += [service.image, *service.command, *(value for _key, value in service.env)]
        return {name for text in texts for name in string.Template(text).get_identifiers()}

    def all_images(self, values: dict[str, str]) -> set[str]:
        """Every image the lab uses: its services', and those its steps have the learner pull
        or run (parameters marked ``image = true``)."""
        told = {values.get(p.name) or p.default for p in self.parameters if p.image}
        told |= {value for p in self.parameters if p.image for value in p.per_learner}
        return self.images(values) | {image for image in told if image}


def substitute(text: str, values: dict[str, str]) -> str:
    return string.Template(text).safe_substitute(values)


def filled_text(text: str, values: dict[str, str]) -> str:
    """What a learner reads: the values filled in, and the Korean particles written after them
    as both forms (``${image}와(과)``) fitted to each value."""
    return particles(substitute(text, values))


@functools.lru_cache(maxsize=64)
def parse(source: str) -> LabTemplate:
    """The template of a TOML text; ``TemplateError`` names the line of the first mistake."""
    try:
        document = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.14 gives msg and lineno; before, only the text "… (at line L, column C)".
        where = re.search(r"^(.*) \(at line (\d+), column \d+\)$", str(exc))
        reason, line = (where.group(1), int(where.group(2))) if where else (str(exc), None)
        message = _("not valid TOML: %(reason)s") % {"reason": reason}
        raise TemplateError(message, line) from None
    reader = Reader(source)
    root = reader.table(
        document,
        (),
        {"slug", "title", "description", "time", "parameters", "services", "setup", "steps"},
    )
    slug = reader.string(root, (), "slug")
    if not SLUG.match(slug):
        raise reader.fail(("slug",), _("slug takes lowercase letters, digits and dashes."))
    parameters = tuple(
        _parameter(reader, p, i) for i, p in enumerate(reader.array(root, (), "parameters"))
    )
    services = tuple(
        _service(reader, s, i) for i, s in enumerate(reader.array(root, (), "services"))
    )
    _unique(reader, [p.name for p in parameters], "parameters")
    _unique(reader, [s.name for s in services], "services")
    time = reader.table(
        root.get("time", {}), ("time",),
        {"minutes", "idle_minutes", "extend_minutes", "max_extend_minutes"},
    )  # fmt: skip
    setup = reader.table(root.get("setup", {}), ("setup",), {"service", "script"})
    template = LabTemplate(
        slug=slug,
        title=reader.text(root, (), "title"),
        description=reader.text(root, (), "description", required=False),
        parameters=parameters,
        services=services,
        minutes=reader.integer(time, ("time",), "minutes", 60, 24 * 60) or 60,
        idle_minutes=reader.integer(time, ("time",), "idle_minutes", 15, 24 * 60),
        extend_minutes=reader.integer(time, ("time",), "extend_minutes", 0, 24 * 60),
        max_extend_minutes=reader.integer(time, ("time",), "max_extend_minutes", 0, 7 * 24 * 60),
        setup_service=reader.string(setup, ("setup",), "service", ""),
        setup_script=reader.string(setup, ("setup",), "script", ""),
        steps=tuple(_step(reader, s, i) for i, s in enumerate(reader.array(root, (), "steps"))),
    )
    if not template.steps:
        raise reader.fail((), _("A lab needs at least one [[steps]]."))
    _check_references(reader, template, source)
    return template


def _unique(reader: Reader, names: list[str], key: str) -> None:
    for index, name in enumerate(names):
        if name in names[:index]:
            raise reader.fail((key, index), _("%(name)s is named twice.") % {"name": name})


def _parameter(reader: Reader, data: Any, index: int) -> Parameter:
    path = ("parameters", index)
    data = reader.table(data, path, {"name", "default", "pattern", "image", "per_learner"})
    name = reader.string(data, path, "name")
    if not NAME.match(name) or name in BUILTINS:
        raise reader.fail(
            (*path, "name"), _("%(name)s is not a usable parameter name.") % {"name": name}
        )
    pattern = reader.string(data, path, "pattern", r"[A-Za-z0-9._:/@-]+")
    try:
        re.compile(pattern)
    except re.error as exc:
        message = _("pattern: %(reason)s") % {"reason": exc}
        raise reader.fail((*path, "pattern"), message) from None
    default = reader.string(data, path, "default", "")
    drawn = data.get("per_learner") is True
    per_learner = [] if drawn else reader.array(data, path, "per_learner")
    if not all(isinstance(v, str) and re.fullmatch(pattern, v) for v in per_learner):
        raise reader.fail(
            (*path, "per_learner"), _("per_learner lists values that match the pattern.")
        )
    image = reader.flag(data, path, "image")
    values = _drawable(reader, data, path, pattern, image) if drawn else per_learner
    if values and not default:  # the class's value, which each learner's own replaces
        default = values[0]
    parameter = Parameter(name, default, pattern, image, tuple(per_learner), drawn)
    if parameter.default and not re.fullmatch(pattern, parameter.default):
        raise reader.fail((*path, "default"), _("The default does not match the pattern."))
    return parameter


def _drawable(reader: Reader, data: Any, path: KeyPath, pattern: str, image: bool) -> list[str]:
    """Some values drawn from a pattern each learner's value is drawn from, once it is checked:
    the author's own (the default one is far too wide to make a name), of values that match it,
    of a sane length, and not an image's (a class's images are known when it opens)."""
    where = (*path, "per_learner")
    if image:
        raise reader.fail(where, _("An image parameter lists its values; it is not drawn."))
    if "pattern" not in data:
        raise reader.fail(where, _("per_learner = true draws from the pattern: give one."))
    try:
        samples = [_draw(pattern, seed) for seed in range(20)]
    except (ValueError, IndexError, KeyError, TypeError, re.error):
        samples = []
    if not samples or not all(_fit_to_draw(pattern, v) for v in samples):
        raise reader.fail(
            where, _("Only printable values of 1 to 64 characters may be drawn from a pattern.")
        )
    return samples


def _fit_to_draw(pattern: str, value: str) -> bool:
    return 0 < len(value) <= 64 and value.isprintable() and bool(re.fullmatch(pattern, value))


def _service(reader: Reader, data: Any, index: int) -> Service:
    path = ("services", index)
    known = {"name", "kind", "image", "command", "env", "memory", "cpus", "memory_request",
             "cpus_request", "interactive", "tty", "workspace"}  # fmt: skip
    data = reader.table(data, path, known)
    kind = reader.string(data, path, "kind", "container")
    if kind not in {"container", "workstation"}:
        raise reader.fail((*path, "kind"), _("kind is container or workstation."))
    workstation = kind == "workstation"
    if workstation and "image" in data:
        raise reader.fail((*path, "image"), _("A workstation runs Dockboard's own image."))
    name = reader.string(data, path, "name")
    if not SERVICE_NAME.match(name):
        raise reader.fail(
            (*path, "name"), _("%(name)s is not a usable service name.") % {"name": name}
        )
    command = reader.array(data, path, "command")
    env = reader.table(data.get("env", {}), (*path, "env"), set(data.get("env", {})))
    if not all(isinstance(word, str) for word in command) or not all(
        isinstance(value, str) for value in env.values()
    ):
        raise reader.fail(path, _("command and env take text only."))
    workspace = reader.string(data, path, "workspace", "")
    if workspace and not WORKSPACE_PATH.match(workspace):
        raise reader.fail(
            (*path, "workspace"),
            _("workspace takes a path in the container below /, such as /work."),
        )
    return Service(
        name=name,
        image="" if workstation else reader.string(data, path, "image"),
        command=tuple(command),
        env=tuple(sorted(env.items())),
        memory=_memory(reader, data, path),
        cpus=_cpus(reader, data, path),
        memory_request=_memory(reader, data, path, "memory_request"),
        cpus_request=_cpus(reader, data, path, "cpus_request"),
        interactive=reader.flag(data, path, "interactive") or workstation,
        tty=reader.flag(data, path, "tty") or workstation,
        workstation=workstation,
        workspace=workspace.rstrip("/"),
    )


def _memory(reader: Reader, data: dict, path: KeyPath, key: str = "memory") -> int:
    match = MEMORY.match(reader.string(data, path, key, "0"))
    if not match:
        raise reader.fail((*path, key), _("%(key)s takes a size such as 64m.") % {"key": key})
    return int(match.group(1)) * 1024 ** " kmg".index(match.group(2).lower() or " ")


def _cpus(reader: Reader, data: dict, path: KeyPath, key: str = "cpus") -> Decimal:
    value = data.get(key, 0)
    try:
        cpus = Decimal(str(value)) if not isinstance(value, bool) else Decimal(-1)
    except InvalidOperation:
        cpus = Decimal(-1)
    if not 0 <= cpus <= 64:
        raise reader.fail((*path, key), _("%(key)s takes a number such as 0.5.") % {"key": key})
    return cpus


def _step(reader: Reader, data: Any, index: int) -> Step:
    path = ("steps", index)
    data = reader.table(data, path, {"title", "text", "hints", "checks"})
    hints = reader.array(data, path, "hints")
    return Step(
        title=reader.text(data, path, "title"),
        text=reader.text(data, path, "text", required=False),
        hints=tuple(reader.text({"hint": h}, (*path, "hints"), "hint") for h in hints),
        checks=tuple(
            _check(reader, c, (*path, "checks", i))
            for i, c in enumerate(reader.array(data, path, "checks"))
        ),
    )


def _check(reader: Reader, data: Any, path: KeyPath) -> Check:
    data = reader.table(data, path, CHECK_KEYS)
    kind = reader.string(data, path, "kind")
    if kind == "command":
        if set(data) - {"kind", "ran"}:
            raise reader.fail(path, _("A command check takes ran: the docker line run."))
        ran = reader.string(data, path, "ran")
        if not ran.startswith("docker "):
            raise reader.fail((*path, "ran"), _("ran is a docker command line."))
        return Check(kind, ran=ran)
    if kind == "exec":
        if set(data) - {"kind", "service", "script", "timeout"}:
            raise reader.fail(path, _("An exec check takes service, script and timeout."))
        return Check(
            kind,
            service=reader.string(data, path, "service"),
            script=reader.string(data, path, "script"),
            timeout=reader.integer(data, path, "timeout", MAX_CHECK_SECONDS, MAX_CHECK_SECONDS)
            or MAX_CHECK_SECONDS,
        )
    if kind != "engine":
        raise reader.fail((*path, "kind"), _("kind is exec, engine or command."))
    container = reader.table(
        data.get("container", {}),
        (*path, "container"),
        {"name", "image", "state", "tty", "stdin", "event"},
    )
    diff = reader.table(data.get("diff", {}), (*path, "diff"), {"container", "path", "kind"})
    answer = reader.string(data, path, "answer", "")
    if container.get("state", "running") not in CONTAINER_STATES:
        raise reader.fail(
            (*path, "container"),
            _("state is one of %(states)s.") % {"states": ", ".join(sorted(CONTAINER_STATES))},
        )
    if answer and answer not in ANSWERS:
        raise reader.fail(
            (*path, "answer"),
            _("answer is one of %(answers)s.") % {"answers": ", ".join(sorted(ANSWERS))},
        )
    if not (container or data.get("image") or diff):
        raise reader.fail(path, _("An engine check asserts a container, an image or a diff."))
    pulled = reader.flag(data, path, "pulled")
    if pulled and not data.get("image"):
        raise reader.fail((*path, "pulled"), _("pulled goes with the image the learner pulls."))
    if diff and not (("container" in diff and "path" in diff) or answer == "changes"):
        raise reader.fail((*path, "diff"), _("diff takes a container and a path."))
    return Check(
        kind,
        container=tuple(sorted(container.items())),
        image=reader.string(data, path, "image", ""),
        pulled=pulled,
        diff=tuple(sorted((k, str(v)) for k, v in diff.items())),
        answer=answer,
    )


def _check_references(reader: Reader, template: LabTemplate, source: str) -> None:
    names = {p.name for p in template.parameters} | BUILTINS
    for number, line in enumerate(source.splitlines(), start=1):
        for match in re.finditer(r"\$\{([^}]*)\}", line):
            if match.group(1) not in names:
                raise TemplateError(
                    _("${%(name)s} is not a parameter of this lab.") % {"name": match.group(1)},
                    number,
                )
    services = {s.name for s in template.services}
    if template.setup_script and template.setup_service not in services:
        raise reader.fail(("setup", "service"), _("setup names a service this lab does not have."))
    for index, step in enumerate(template.steps):
        for number, check in enumerate(step.checks):
            if check.kind == "exec" and check.service not in services:
                raise reader.fail(
                    ("steps", index, "checks", number, "service"),
                    _("%(name)s is not a service of this lab.") % {"name": check.service},
                )
