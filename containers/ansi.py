"""ANSI colours in logs, rendered safely: text is escaped, only known SGR codes become classes."""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ESCAPE = re.compile(r"\x1b\[([0-9;]*)([A-Za-z])|\x1b[^\[]?")
_COLOURS = {*range(30, 38), *range(90, 98)}
_BACKGROUNDS = {*range(40, 48), *range(100, 108)}


def _classes(fg: int | None, bg: int | None, bold: bool) -> str:
    names = [f"ansi-{fg}"] * (fg is not None) + [f"ansi-{bg}"] * (bg is not None)
    return " ".join(names + ["ansi-bold"] * bold)


def ansi_to_html(text: str) -> SafeString:
    """Escaped ``text`` with SGR colour runs as ``<span class="ansi-…">``; other codes dropped."""
    out: list[str] = []
    fg = bg = None
    bold = False
    position = 0
    for match in _ESCAPE.finditer(text):
        out.append(_span(text[position : match.start()], fg, bg, bold))
        position = match.end()
        if match.group(2) != "m":
            continue
        for code in [int(c) for c in (match.group(1) or "0").split(";") if c.isdigit()] or [0]:
            if code == 0:
                fg = bg = None
                bold = False
            elif code == 1:
                bold = True
            elif code == 22:
                bold = False
            elif code in _COLOURS:
                fg = code
            elif code in _BACKGROUNDS:
                bg = code
            elif code == 39:
                fg = None
            elif code == 49:
                bg = None
    out.append(_span(text[position:], fg, bg, bold))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text went through escape()


def _span(text: str, fg: int | None, bg: int | None, bold: bool) -> str:
    if not text:
        return ""
    classes = _classes(fg, bg, bold)
    return f'<span class="{classes}">{escape(text)}</span>' if classes else escape(text)
