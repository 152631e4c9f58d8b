"""Where a key of a TOML document is written: a line number for each key path, so that a
template's errors can name the line (``tomllib`` gives lines only for syntax errors)."""

import re

HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
ASSIGNMENT = re.compile(r"^\s*([A-Za-z0-9_\-\.\"' ]+?)\s*=")

type KeyPath = tuple[str | int, ...]


def _parts(dotted: str) -> list[str]:
    return [part.strip().strip("\"'") for part in dotted.split(".")]


def key_lines(source: str) -> dict[KeyPath, int]:
    """Each table header and ``key =`` line by its key path, e.g. ``("steps", 2, "title")``.
    Keys inside multi-line strings are skipped; inline tables map to their own line."""
    lines: dict[KeyPath, int] = {}
    counters: dict[KeyPath, int] = {}
    table: KeyPath = ()
    in_string = False
    for number, line in enumerate(source.splitlines(), start=1):
        if in_string:
            in_string = (line.count('"""') + line.count("'''")) % 2 == 0
            continue
        if header := HEADER.match(line):
            array, name = header.group(1) == "[[", _parts(header.group(2))
            table = _resolve(name, counters, array=array)
            lines.setdefault(table, number)
        elif assignment := ASSIGNMENT.match(line):
            lines.setdefault((*table, *_parts(assignment.group(1))), number)
            in_string = (line.count('"""') + line.count("'''")) % 2 == 1
    return lines


def _resolve(name: list[str], counters: dict[KeyPath, int], *, array: bool) -> KeyPath:
    """The key path of a header: ``[[steps.checks]]`` lies in the latest ``[[steps]]``."""
    path: KeyPath = ()
    for depth, part in enumerate(name):
        path = (*path, part)
        last = depth == len(name) - 1
        if last and array:
            index = counters.get(path, -1) + 1
            counters[path] = index
            for key in [k for k in counters if len(k) > len(path) and k[: len(path)] == path]:
                del counters[key]  # a new element starts its nested arrays afresh
            return (*path, index)
        if path in counters:  # an array of tables: its latest element
            path = (*path, counters[path])
    return path


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, else of its nearest written ancestor."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None
