"""The Korean catalog is complete and compiled: every user-facing string has its translation,
in wording a Korean developer would write."""

import ast
import gettext
import re
from pathlib import Path

CATALOG = Path(__file__).resolve().parent.parent / "locale" / "ko" / "LC_MESSAGES"


def entries() -> list[dict[str, str | bool]]:
    """The .po file's entries: msgctxt, msgid, msgid_plural, msgstr (first form) and the fuzzy
    flag."""
    found, current, key = [], {}, None
    for line in [*(CATALOG / "django.po").read_text().splitlines(), ""]:
        if not line.strip():
            if current.get("msgid"):
                found.append(current)
            current, key = {}, None
        elif line.startswith("#,"):
            current["fuzzy"] = "fuzzy" in line
        elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ")):
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
        elif "msgctxt" in entry:
            assert catalog.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"]
        else:
            assert catalog.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]


# A particle hedged for both kinds of word ("을(를)"), or set apart by a space after a value
# ("%(name)s 을"), reads as machine-made: each sentence is worded so that its particle follows a
# fixed word ("%(name)s 컨테이너를") or needs none ("삭제했습니다: %(name)s").
HEDGED = re.compile(r"\((을|를|이|가|은|는|으|과|와)\)")
PARTICLE = "을|를|이|가|은|는|로|으로|와|과|의|에|나|이나"
SPACED = re.compile(rf"(\)[sd]|</code>) ({PARTICLE})(?=[\s.,)]|$)")
# One word for one thing: a registry is 레지스트리 (저장소 is a repository), a layer 레이어.
SETTLED = {"저장소 주소": "레지스트리", "계층": "레이어", "거르기": "필터", "쪽": "페이지"}


def test_particles_are_worded_not_hedged() -> None:
    found = [e["msgstr"] for e in entries() if HEDGED.search(e["msgstr"] or "")]
    found += [e["msgstr"] for e in entries() if SPACED.search(e["msgstr"] or "")]
    assert found == []


def test_one_word_for_one_thing() -> None:
    for unsettled, settled in SETTLED.items():
        found = [e["msgstr"] for e in entries() if unsettled in (e["msgstr"] or "")]
        assert found == [], f"{unsettled} → {settled}"


def test_times_are_labelled_as_times() -> None:
    times = {e["msgid"]: e["msgstr"] for e in entries() if e.get("msgctxt") == "time"}
    assert times == {"Created": "생성 시각", "Started": "시작 시각", "Finished": "종료 시각"}
