"""Per-learner parameters: each learner gets one of the lab's values, the same one every time,
so that neighbours' answers differ; the class's form does not ask for it."""

import re

import pytest
from django.contrib.auth.models import User

from dashboard.models import Team
from labs import actions, runtime
from labs.library import import_template
from labs.template import TemplateError, parse
from tests.harness.accounts import join, signed_in
from tests.pages import text_of

pytestmark = pytest.mark.django_db
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
PER_LEARNER = f"""
[[parameters]]
name = "word"
pattern = "[a-z]+"
per_learner = {WORDS!r}
"""


def per_learner_lab(source: str) -> str:
    with_word = source.replace("[[services]]", PER_LEARNER.replace("'", '"') + "\n[[services]]", 1)
    return with_word.replace("Make a file:", "Make a file named ${word}:", 1).replace(
        'slug = "small-', 'slug = "words-', 1
    )


def test_each_learner_gets_their_own_value_every_time(
    small_lab_source: str, instructor: User, team: Team, lab_objects_removed: None
) -> None:
    version = import_template(per_learner_lab(small_lab_source), instructor)
    lab_class = actions.open_class(instructor, version, team, {})
    learners = [join(User.objects.create_user(f"l{n}"), team, "member") for n in range(8)]
    sessions = [actions.start_session(learner, lab_class) for learner in learners]
    words = [runtime.values_for(session)["word"] for session in sessions]
    assert set(words) <= set(WORDS) and len(set(words)) > 1  # neighbours differ
    assert [runtime.values_for(session)["word"] for session in sessions] == words  # stable
    page = signed_in(learners[0]).get(f"/sessions/{sessions[0].pk}/")
    assert f"Make a file named {words[0]}:" in text_of(page.content)
    lab_page = signed_in(instructor).get(f"/labs/{version.lab.slug}/").content.decode()
    assert 'name="param_word"' not in lab_page and 'name="param_greeting"' in lab_page


def test_per_learner_values_must_match_the_pattern(small_lab_source: str) -> None:
    broken = per_learner_lab(small_lab_source).replace('"alpha"', '"Alpha!"')
    with pytest.raises(TemplateError, match="per_learner lists values that match the pattern"):
        parse(broken)


DRAWN = """
[[parameters]]
name = "word"
pattern = "secret-[0-9a-f]{6}"
per_learner = true
"""


def test_each_learner_draws_their_own_value_from_the_pattern(
    small_lab_source: str, instructor: User, team: Team, lab_objects_removed: None
) -> None:
    source = per_learner_lab(small_lab_source).replace(PER_LEARNER.replace("'", '"'), DRAWN)
    version = import_template(source, instructor)
    lab_class = actions.open_class(instructor, version, team, {})
    learners = [join(User.objects.create_user(f"d{n}"), team, "member") for n in range(6)]
    sessions = [actions.start_session(learner, lab_class) for learner in learners]
    words = [runtime.values_for(session)["word"] for session in sessions]
    assert all(re.fullmatch(r"secret-[0-9a-f]{6}", word) for word in words)
    assert len(set(words)) == len(words)  # 16**6 values: six neighbours do not meet
    assert [runtime.values_for(session)["word"] for session in sessions] == words
    page = signed_in(learners[1]).get(f"/sessions/{sessions[1].pk}/")
    assert f"Make a file named {words[1]}:" in text_of(page.content)


@pytest.mark.parametrize(
    ("parameter", "message"),
    [
        ('pattern = "(?=a)b"', "Only printable values of 1 to 64 characters"),
        ('pattern = "[a-z]+"', "Only printable values of 1 to 64 characters"),
        ('pattern = ".{4}"', "Only printable values of 1 to 64 characters"),
        ("pattern = '(a)(?(1)b|c)'", "Only printable values of 1 to 64 characters"),
        ("", "draws from the pattern: give one"),
        ('pattern = "[a-z]{3}"\nimage = true', "An image parameter lists its values"),
    ],
)
def test_a_pattern_to_draw_from_is_checked_at_import(
    small_lab_source: str, parameter: str, message: str
) -> None:
    drawn = f'\n[[parameters]]\nname = "word"\n{parameter}\nper_learner = true\n'
    source = per_learner_lab(small_lab_source).replace(PER_LEARNER.replace("'", '"'), drawn)
    with pytest.raises(TemplateError, match=message):
        parse(source)
