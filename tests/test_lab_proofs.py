"""Checks that prove the step was done by the learner, not only that the engine is in some
state: images are shared on an engine, so the bundled lab's pull step asks for the learner's
own pull in the session; its attach step, for an attach."""

import docker
import pytest
from django.contrib.auth.models import User
from django.utils.timezone import localtime

from dashboard.models import Team
from labs import actions, checks
from labs.models import Lab
from labs.template import parse
from tests.harness.accounts import signed_in

pytestmark = pytest.mark.django_db


def test_an_image_someone_else_pulled_does_not_pass_the_learners_pull_step(
    instructor: User, member: User, team: Team, lab_image: str, engine: docker.DockerClient
) -> None:
    version = Lab.objects.get(slug="docker-engine").latest()
    lab_class = actions.open_class(instructor, version, team, {"image": lab_image})
    session = actions.start_session(member, lab_class)
    engine.images.pull(lab_image)  # another learner's pull, or the teacher's: the image is here
    failed = checks.run_step(session, 0)
    assert failed.lines == [
        f"FAIL: {lab_image} is here, but you have not pulled it in this session yet."
    ]
    response = signed_in(member).post("/engines/local/images/pull/", {"reference": lab_image})
    assert response.status_code == 302
    assert checks.run_step(session, 0).passed
    checks.run_step(session, 0)  # a later press: it stays passed since the first
    first = session.checks.filter(passed=True).earliest("checked_at").checked_at
    page = signed_in(member).get(f"/sessions/{session.pk}/").content.decode()
    shown = f'<time class="passed-at" datetime="{localtime(first).isoformat()}">'
    assert shown in page


def test_the_attach_step_asks_for_an_attach_and_the_pull_step_for_a_pull() -> None:
    template = Lab.objects.get(slug="docker-engine").latest().template
    pull, attach = template.steps[0].checks[0], template.steps[4].checks[0]
    assert pull.pulled and pull.image == "${image}"
    assert dict(attach.container)["event"] == "attach" and attach.answer == "hostname"


def test_pulled_goes_with_an_image() -> None:
    source = Lab.objects.get(slug="docker-engine").latest().source
    broken = source.replace('image = "${image}"\npulled', 'container = { name = "x" }\npulled', 1)
    with pytest.raises(Exception, match="pulled goes with the image"):
        parse(broken)
