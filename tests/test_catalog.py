"""The Korean catalog is complete and compiled: every user-facing string has its translation."""

import ast
import gettext
from pathlib import Path

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "ko" / "LC_MESSAGES"


def entries() -> list[dict[str, str | bool]]:
    """The .po file's entries: msgid, msgid_plural, msgstr (first form) and the fuzzy flag."""
    found, current, key = [], {}, None
    for line in [*(CATALOG / "django.po").read_text().splitlines(), ""]:
        if not line.strip():
            if current.get("msgid"):
                found.append(current)
            current, key = {}, None
        elif line.startswith("#,"):
            current["fuzzy"] = "fuzzy" in line
        elif line.startswith(("msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ")):
            key, _, value = line.partition(" ")
            key = key.replace("[0]", "")
            current[key] = ast.literal_eval(value)
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
    return found


def test_every_string_is_translated() -> None:
    untranslated = [e["msgid"] for e in entries() if not e.get("msgstr") or e.get("fuzzy")]
    assert untranslated == []


def test_the_compiled_catalog_matches_the_source() -> None:
    with (CATALOG / "django.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    for entry in entries():
        if "msgid_plural" in entry:
            assert catalog.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr"]
        else:
            assert catalog.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]
