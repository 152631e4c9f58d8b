"""A Dockerfile read as the builder reads it: parser directives, comments, line continuations,
then one instruction a logical line, with its ``--flags`` apart; and the images it names."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from dashboard.engine.errors import BadParameter

DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
VARIABLE = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_]\w*)(?::(?P<how>[-+])(?P<word>[^}]*))?\}|(?P<bare>[A-Za-z_]\w*))"
)


@dataclass(frozen=True)
class Instruction:
    line: int  # where it starts, counted from 1
    keyword: str  # upper case: FROM, RUN, COPY…
    flags: dict[str, str] = field(default_factory=dict)  # --network=host → {"network": "host"}
    arguments: str = ""


def instructions(text: str) -> list[Instruction]:
    """Every instruction; ``BadParameter`` naming the line of one that is not one."""
    escape, found = "\\", []
    lines = text.splitlines()
    for line in lines:  # directives come first, or not at all
        directive = DIRECTIVE.match(line)
        if not directive:
            break
        if directive.group(1).lower() == "escape":
            escape = directive.group(2)
    pending, start = "", 0
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if not pending:
            start = number
        if stripped.endswith(escape):
            pending += stripped[: -len(escape)] + " "
            continue
        found.append(_instruction(start, pending + stripped))
        pending = ""
    if pending.strip():
        found.append(_instruction(start, pending))
    return found


def _instruction(line: int, text: str) -> Instruction:
    keyword, _space, rest = text.strip().partition(" ")
    if not re.fullmatch(r"[A-Za-z]+", keyword):
        raise BadParameter(
            _("Line %(line)d of the Dockerfile is not an instruction: %(text)s")
            % {"line": line, "text": text.strip()[:80]}
        )
    flags: dict[str, str] = {}
    rest = rest.strip()
    while rest.startswith("--"):
        flag, _space, rest = rest.partition(" ")
        name, _equals, value = flag[2:].partition("=")
        flags[name.lower()] = value
        rest = rest.strip()
    return Instruction(line, keyword.upper(), flags, rest)


def substituted(text: str, values: dict[str, str]) -> str:
    """``$NAME``, ``${NAME}``, ``${NAME:-word}`` and ``${NAME:+word}`` as the builder reads
    them, from ``values``; a variable it has not got, and no word stands in for, is left."""

    def value(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("bare")
        found = values.get(name)
        if match.group("how") == "-":
            return found or match.group("word")
        if match.group("how") == "+":
            return match.group("word") if found else ""
        return found if found is not None else match.group(0)

    return VARIABLE.sub(value, text)
