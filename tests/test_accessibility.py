"""axe-core (the engine behind Lighthouse's accessibility audit) on every main page, in real
Chromium, as a member and as an administrator, in English and in Korean: no serious or critical
violation."""

import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from tests.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parent.parent / "node_modules/axe-core/axe.min.js"
PAGES = [
    *(f"/engines/local/{page}" for page in ("", "containers/", "containers/new/", "images/",
      "images/pull/", "volumes/", "volumes/new/", "networks/", "networks/new/")),
    "/labs/", "/recordings/", "/teams/",
]  # fmt: skip
AXE_SOURCE = AXE.read_text()
SERIOUS = {"serious", "critical"}


def in_language(page, language: str) -> None:
    """The language a person picks with the header's switch, kept in its cookie."""
    site = urllib.parse.urljoin(page.url, settings.LANGUAGE_COOKIE_PATH)  # for every page
    cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site}
    page.context.add_cookies([cookie])


def violations(page, url: str, language: str) -> list[str]:
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == language, url
    page.evaluate(AXE_SOURCE)  # evaluated by the browser itself: the page's CSP does not apply
    found = page.evaluate("async () => (await axe.run(document)).violations")
    # The page's title is its heading alone: its actions sit beside it, not inside it.
    actions_in_title = page.locator("main h1 a.button, main h1 button").all_inner_texts()
    return [
        f"{url}: {v['id']} ({v['impact']}) {v['help']}: {node['target']} {node['failureSummary']}"
        for v in found
        for node in v["nodes"]
        if v["impact"] in SERIOUS
    ] + [f"{url}: the h1 holds the action {text!r}" for text in actions_in_title]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_members_pages(page, member: User, make_container, busybox: str, language: str) -> None:
    container = make_container("sleep 600", name="audited", init=True)
    log_in(page)
    in_language(page, language)
    urls = [
        *PAGES,
        f"/engines/local/containers/{container.id}/",
        f"/engines/local/containers/{container.id}/terminal/",
    ]
    found = [v for url in urls for v in violations(page, url, language)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_an_administrators_pages(page, admin: User, busybox: str, language: str) -> None:
    log_in(page, admin.get_username())
    in_language(page, language)
    urls = [*PAGES, "/users/", "/audit/", "/engines/"]
    found = [v for url in urls for v in violations(page, url, language)]
    assert not found, "\n".join(found)
