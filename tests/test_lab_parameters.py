"""Per-learner parameters: each learner gets one of the lab's values, the same one every time,
so that neighbours' answers differ; the class's form does not ask for it."""

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
