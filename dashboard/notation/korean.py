"""Korean particles after a word only known when the text is filled in (a learner's name, an
image): the author writes both forms, as Korean writers do when they cannot know the word
(``을(를)``, ``이(가)``, ``은(는)``, ``와(과)``, ``(으)로``), and the one that fits the word's
last sound is kept: ``mycentos-joon을``, ``centos:7과``, ``centos:7로``."""

import re

# Each written pair: (after a final consonant, after none). 로 follows ㄹ as it follows a vowel.
PAIRS = {
    "을(를)": ("을", "를"), "를(을)": ("을", "를"),
    "이(가)": ("이", "가"), "가(이)": ("이", "가"),
    "은(는)": ("은", "는"), "는(은)": ("은", "는"),
    "과(와)": ("과", "와"), "와(과)": ("과", "와"),
    "(으)로": ("으로", "로"),
}  # fmt: skip
PAIR = re.compile("|".join(re.escape(pair) for pair in PAIRS))
# Marks that may stand between the word and its particle: `code`, **bold**, quotes, brackets.
SKIPPED = "`*'\"\u2019\u201d)]}>"  # and closing curly quotes
# How digits and Latin letters end when read in Korean: 1 일, 3 삼, 6 육, 7 칠, 8 팔, 0 영;
# a word ending in a stop or a nasal (book 북, team 팀, joon 준), or in l (ㄹ: mail 메일).
FINAL_DIGITS, RIEUL_DIGITS = set("013678"), set("178")
FINAL_LETTERS, RIEUL_LETTERS = set("bcdgklmnpt"), set("l")
HANGUL_FIRST, HANGUL_LAST, RIEUL = 0xAC00, 0xD7A3, 8


def final_sound(character: str) -> str:
    """ "": no final consonant; "ㄹ"; or "final" (any other)."""
    code = ord(character)
    if HANGUL_FIRST <= code <= HANGUL_LAST:
        final = (code - HANGUL_FIRST) % 28
        return "" if final == 0 else "ㄹ" if final == RIEUL else "final"
    lower = character.lower()
    if lower in RIEUL_DIGITS or lower in RIEUL_LETTERS:
        return "ㄹ"
    if lower in FINAL_DIGITS or lower in FINAL_LETTERS:
        return "final"
    return ""


def particles(text: str) -> str:
    """``text`` with each written pair replaced by the particle its preceding word takes; a
    pair with no word before it is left as written."""

    def chosen(match: re.Match[str]) -> str:
        before = text[: match.start()].rstrip(SKIPPED)
        if not before or before[-1].isspace():
            return match.group(0)
        with_final, without = PAIRS[match.group(0)]
        sound = final_sound(before[-1])
        if match.group(0) == "(으)로" and sound == "ㄹ":
            return without
        return with_final if sound else without

    return PAIR.sub(chosen, text)
