"""Team allow-lists of images: patterns matched against normalised references.

A pattern is written as a reference (``busybox``, ``127.0.0.1:5000/acc/app:1``) and normalised
the same way, so ``busybox`` means ``docker.io/library/busybox``. ``*`` stands for any run of
characters within one path component and ``**`` for any run at all. A pattern without a tag
allows every tag. An empty list allows nothing.
"""

import re
from functools import lru_cache

from dashboard.notation.reference import InvalidReference, parse_reference

ANY, ONE = "zzany", "zzone"  # stand-ins for ** and * that the reference parser accepts


@lru_cache(maxsize=512)
def normalised(pattern: str) -> str | None:
    """The pattern as it is matched (``busybox`` → ``docker.io/library/busybox``), or None."""
    pattern = pattern.strip()
    if not pattern or ANY in pattern or ONE in pattern:
        return None
    last = pattern.rsplit("/", 1)[-1]
    has_tag = ":" in last or "@" in last
    try:
        normal = str(parse_reference(pattern.replace("**", ANY).replace("*", ONE)))
    except InvalidReference:
        return None
    if not has_tag:
        normal = normal.rsplit(":", 1)[0]  # the parser's implied :latest
    return normal.replace(ANY, "**").replace(ONE, "*")


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str] | None:
    normal = normalised(pattern)
    if normal is None:
        return None
    last = normal.rsplit("/", 1)[-1]
    tail = "" if ":" in last or "@" in last else r"(?::[^/]+)?(?:@.+)?"
    text = re.escape(normal).replace(r"\*\*", ".*").replace(r"\*", "[^/:@]*")
    return re.compile(f"^{text}{tail}$", re.ASCII)


def pattern_is_valid(pattern: str) -> bool:
    return _compile(pattern.strip()) is not None


def matches(patterns: list[str], reference: str) -> bool:
    """Whether the reference (any spelling the engine accepts) is allowed by one of them."""
    try:
        normal = str(parse_reference(reference))
    except InvalidReference:
        return False
    for pattern in patterns:
        compiled = _compile(pattern.strip())
        if compiled is not None and compiled.match(normal):
            return True
    return False
