"""Sizes and CPU counts as the docker CLI reads and people write them."""

import re
from decimal import Decimal, InvalidOperation

SIZE = re.compile(
    r"^(?P<number>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[bkmgt]?)(?:i?b)?$", re.IGNORECASE | re.ASCII
)
SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
BINARY_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"]
NANO = 10**9


def parse_size(text: str) -> int:
    """``512m`` (or ``512 MiB``) → bytes, as `-m` reads it; ``ValueError`` when it is not one."""
    match = SIZE.match(text.strip())
    if not match:
        raise ValueError(text)
    return int(float(match["number"]) * SIZE_UNITS[match["unit"].lower()])


def format_size(size: int) -> str:
    """Binary units, as limits are set: 536870912 → ``512 MiB``."""
    value, unit = float(size), 0
    while value >= 1024 and unit < len(BINARY_UNITS) - 1:
        value /= 1024
        unit += 1
    return f"{value:.4g} {BINARY_UNITS[unit]}"


def parse_cpus(text: str) -> Decimal:
    """``0.5`` (or ``.5``, ``5.``) → Decimal('0.5'); ``ValueError`` for anything but a plain
    number of at most nine decimals (a billionth of a CPU, the engine's unit)."""
    if not re.fullmatch(r"(?:[0-9]+\.?[0-9]{0,9}|\.[0-9]{1,9})", text.strip(), re.ASCII):
        raise ValueError(text)
    try:
        return Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def nano_cpus(cpus: Decimal | float | str) -> int:
    return int(Decimal(str(cpus)) * NANO)


def format_cpus(nano: int) -> str:
    return f"{(Decimal(nano) / NANO).normalize():f}"  # normalize: 0.5, not 0.500000000
