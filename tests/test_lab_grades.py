"""A class's grades: each learner's steps with when they first passed, and the score, as CSV and
JSON from the roster (its instructors only) and from `manage.py grades`."""

import csv
import io
import json
from collections.abc import Callable

import docker
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from labs import actions, checks, runtime
from labs.models import LabClass, LabSession
from tests.harness.accounts import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(
    launched: Callable[..., LabSession], lab_class: LabClass, other_member: User, engine
) -> LabClass:
    """member passed step 1 (then pressed it again), other_member started and passed nothing."""
    session = launched()
    engine.containers.get(runtime.container_name(session, "shell")).exec_run("touch /made")
    assert checks.run_step(session, 0).passed
    checks.run_step(session, 0)
    actions.start_session(other_member, lab_class)
    return lab_class


def test_the_instructor_downloads_grades_as_csv_and_json(
    graded: LabClass, instructor: User, engine: docker.DockerClient
) -> None:
    client = signed_in(instructor)
    first = graded.sessions.get(learner__username="member").checks.filter(passed=True)
    passed_at = first.earliest("checked_at").checked_at.isoformat()
    found = json.loads(client.get(f"/classes/{graded.pk}/grades.json").content)
    assert found["steps"] == ["Make a file", "Create a container"]
    assert found["learners"] == [
        {"learner": "member", "sessions": 1, "steps_passed": 1, "score": 0.5,
         "passed_at": [passed_at, None]},
        {"learner": "other", "sessions": 1, "steps_passed": 0, "score": 0.0,
         "passed_at": [None, None]},
    ]  # fmt: skip
    response = client.get(f"/classes/{graded.pk}/grades.csv")
    assert response["Content-Disposition"] == f'attachment; filename="class-{graded.pk}-grades.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["learner", "sessions", "steps passed", "steps", "score",
                       "1. Make a file", "2. Create a container"]  # fmt: skip
    assert rows[1] == ["member", "1", "1", "2", "0.50", passed_at, ""]
    assert rows[2] == ["other", "1", "0", "2", "0.00", "", ""]
    roster = client.get(f"/classes/{graded.pk}/").content.decode()
    assert f'href="/classes/{graded.pk}/grades.csv"' in roster


def test_grades_are_the_instructors_not_a_learners(
    graded: LabClass, member: User, outsider: User
) -> None:
    for someone in (member, outsider):
        for kind in ("csv", "json"):
            assert signed_in(someone).get(f"/classes/{graded.pk}/grades.{kind}").status_code == 404


def test_the_grades_command_prints_the_same(graded: LabClass, capsys) -> None:
    call_command("grades", str(graded.pk))
    printed = capsys.readouterr().out
    assert printed.splitlines()[1].startswith("member,1,1,2,0.50,")
    call_command("grades", str(graded.pk), "--json")
    assert json.loads(capsys.readouterr().out)["learners"][1]["learner"] == "other"
