"""Container pages in real headless Chromium: the list stays current, logs follow live."""

import docker
import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_list_updates_when_a_container_stops_outside_dockboard(
    page, member: User, make_container
) -> None:
    container = make_container("sleep 600", name="watched", init=True)
    log_in(page)
    page.goto(f"/engines/local/containers/?q={RUN_ID}")
    row = page.locator(f'tr[data-id="{container.id}"]')
    expect(row.locator("td.status")).to_contain_text("Up ")
    row.get_by_role("checkbox").check()

    container.stop(timeout=1)  # as `docker stop` in another terminal would
    expect(row.locator("td.status")).to_contain_text("Exited", timeout=4_000)
    assert row.get_by_role("checkbox").is_checked()  # the selection survives the refresh


def test_following_logs_shows_a_line_printed_after_the_page_opened(
    page, member: User, make_container
) -> None:
    container = make_container("sleep 600", tty=False)
    log_in(page)
    page.goto(f"/engines/local/containers/{container.id}/?tab=logs")
    page.get_by_label("Follow").check()
    expect(page.locator("#log-follow")).to_have_count(1)

    container.exec_run(["sh", "-c", "echo printed-later > /proc/1/fd/1"])
    expect(page.locator("#log-lines")).to_contain_text("printed-later", timeout=5_000)


def test_bulk_action_from_the_list(page, member: User, make_container) -> None:
    one = make_container("sleep 600", name="bulk-one", init=True)
    two = make_container("sleep 600", name="bulk-two", init=True)
    log_in(page)
    page.goto("/engines/local/containers/?q=bulk-")
    for container in (one, two):
        page.locator(f'tr[data-id="{container.id}"]').get_by_role("checkbox").check()
    page.locator("fieldset.bulk-actions").get_by_role("button", name="Stop").click()
    expect(page.locator("#messages")).to_contain_text(f"docker stop {one.name}")
    expect(page.locator("#messages")).to_contain_text(f"docker stop {two.name}")
    for container in (one, two):
        container.reload()
        assert container.status == "exited"


def test_kill_and_remove_ask_first(page, member: User, make_container, engine) -> None:
    container = make_container("sleep 600", name="asked", init=True)
    log_in(page)
    page.goto(f"/engines/local/containers/{container.id}/")
    questions: list[str] = []

    def answer_no(dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer_no)
    page.locator("#container-actions button[value=kill]").click()
    expect(page.locator("#container-state")).to_have_text("running")
    assert questions == [
        "Kill the container? Its processes end at once, with no chance to clean up."
    ]
    container.reload()
    assert container.status == "running"

    page.get_by_label("Force (-f)").check()  # it runs: as `docker rm -f`
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("#container-actions button[value=remove]").click()
    assert not engine.containers.list(all=True, filters={"id": container.id})


def test_the_first_tab_stop_skips_to_the_content(page, member: User) -> None:
    log_in(page)
    page.goto("/engines/local/containers/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#content")).to_be_focused()


def test_a_tab_opens_in_view(page, member: User, make_container) -> None:
    """Logs and Stats sat below the fold: a click seemed to do nothing."""
    container = make_container("sleep 600", tty=False)
    page.set_viewport_size({"width": 1280, "height": 720})
    log_in(page)
    page.goto(f"/engines/local/containers/{container.id}/")
    for tab in ("Logs", "Stats"):
        page.evaluate("window.scrollTo(0, 0)")
        page.locator("#details").get_by_role("link", name=tab, exact=True).click()
        expect(page.locator("#tab .tab-panel")).to_have_count(1)
        # All of the tab on the screen, or its top in the screen's upper half when it is taller.
        page.wait_for_function(
            "() => { const r = document.querySelector('#tab').getBoundingClientRect();"
            " return r.top >= 0 && (r.bottom <= innerHeight || r.top < innerHeight / 2); }"
        )


def test_the_list_fits_a_1280_pixel_screen(
    page, admin: User, busybox: str, engine: docker.DockerClient
) -> None:
    """Four containers made by the CLI from an image named by its full id (as `docker run
    sha256:…` leaves it, or a digest): every column, Actions included, is on the screen
    without scrolling sideways; the long reference wraps in its cell."""
    image_id = engine.images.get(busybox).id  # sha256:<64 hex>
    made = [
        engine.containers.create(image_id, "sleep 600", name=f"wide-{n}-{RUN_ID}",
                                 labels={LABEL_KEY: RUN_ID})
        for n in range(4)
    ]  # fmt: skip
    try:
        page.set_viewport_size({"width": 1280, "height": 800})
        log_in(page, "admin")
        page.goto("/engines/local/containers/?q=wide-")
        expect(page.locator("#container-table tbody tr")).to_have_count(4)
        right = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('#container-table :is(th, td)')]"
            ".map((cell) => cell.getBoundingClientRect().right))"
        )
        assert right <= 1280, right
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    finally:
        for container in made:
            container.remove(force=True)
