"""Dockboard on a phone (390 by 844), in real Chromium, in Korean: no page runs off the screen
sideways, the menu is all on the screen, and a wide table scrolls inside its own box."""

import pytest
from django.contrib.auth.models import User

from labs import actions
from labs.models import LabClass
from tests.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFF_SCREEN = """() => {
  const width = window.innerWidth;
  const menu = [...document.querySelectorAll("header.site :is(a, button, select)")]
    .filter((element) => element.offsetParent !== null)
    .map((element) => element.getBoundingClientRect())
    .filter((box) => box.left < 0 || box.right > width + 0.5).length;
  return {page: document.documentElement.scrollWidth - width, menu};
}"""


def test_every_page_a_learner_and_a_teacher_use_fits_a_phone(
    page, live_url: str, instructor: User, member: User, lab_class: LabClass, make_container
) -> None:
    actions.start_session(member, lab_class)
    container = make_container("sleep 600", name="phone", init=True)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "teacher")
    page.context.add_cookies([{"name": "django_language", "value": "ko", "url": live_url}])
    urls = [
        "/",
        "/engines/local/containers/",
        f"/engines/local/containers/{container.id}/",
        "/engines/local/images/",
        "/labs/",
        f"/classes/{lab_class.pk}/",
        f"/sessions/{lab_class.sessions.get().pk}/",
        f"/teams/{lab_class.team_id}/",
    ]
    for url in urls:
        page.goto(url)
        assert page.evaluate(OFF_SCREEN) == {"page": 0, "menu": 0}, url
