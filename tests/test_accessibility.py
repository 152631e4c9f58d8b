"""axe-core (the engine behind Lighthouse's accessibility audit) on every main page, in real
Chromium, as a member and as an administrator: no serious or critical violation."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from tests.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parent.parent / "node_modules/axe-core/axe.min.js"
PAGES = [
    "/", "/containers/", "/containers/new/", "/images/", "/images/pull/", "/volumes/",
    "/volumes/new/", "/networks/", "/networks/new/", "/labs/", "/recordings/", "/teams/",
]  # fmt: skip
AXE_SOURCE = AXE.read_text()
SERIOUS = {"serious", "critical"}


def violations(page, url: str) -> list[str]:
    page.goto(url)
    page.evaluate(AXE_SOURCE)  # evaluated by the browser itself: the page's CSP does not apply
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{url}: {v['id']} ({v['impact']}) {v['help']}: {node['target']} {node['failureSummary']}"
        for v in found
        for node in v["nodes"]
        if v["impact"] in SERIOUS
    ]


def test_a_members_pages(page, member: User, make_container, busybox: str) -> None:
    container = make_container("sleep 600", name="audited", init=True)
    log_in(page)
    urls = [*PAGES, f"/containers/{container.id}/", f"/containers/{container.id}/terminal/"]
    found = [v for url in urls for v in violations(page, url)]
    assert not found, "\n".join(found)


def test_an_administrators_pages(page, admin: User, busybox: str) -> None:
    log_in(page, admin.get_username())
    found = [
        v for url in [*PAGES, "/users/", "/audit/", "/engines/"] for v in violations(page, url)
    ]
    assert not found, "\n".join(found)
