"""The file browser in real headless Chromium: folders open in place with the address kept,
a file is edited and saved, a file is uploaded from the page."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_walks_folders_edits_a_file_and_uploads_one(
    page, member: User, make_container, tmp_path
) -> None:
    container = make_container(
        ["sh", "-c", "mkdir -p /srv/app && echo port=80 > /srv/app/app.conf && exec sleep 600"],
        init=True,
    )
    log_in(page)
    page.goto(f"/engines/local/containers/{container.id}/")
    page.get_by_role("link", name="Files", exact=True).click()
    page.locator("#file-list").get_by_role("link", name="srv/").click()
    expect(page).to_have_url(re.compile(r"/files/\?path=/srv$"))
    page.locator("#file-list").get_by_role("link", name="app/").click()
    expect(page.locator("nav.crumbs")).to_have_text("/srv/app")
    page.locator("#file-list").get_by_role("link", name="app.conf").click()

    editor = page.get_by_label("The text of /srv/app/app.conf")
    expect(editor).to_have_value("port=80\n")
    editor.fill("port=8080\n")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#messages")).to_contain_text("Saved /srv/app/app.conf")
    assert container.exec_run(["cat", "/srv/app/app.conf"]).output == b"port=8080\n"

    page.locator("nav.crumbs").get_by_role("link", name="app").click()
    sent = tmp_path / "notes.txt"
    sent.write_text("from the browser\n")
    page.get_by_label("Copy files into /srv/app").set_input_files(str(sent))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#messages")).to_contain_text("Copied 1 file into /srv/app")
    expect(page.locator("#file-list")).to_contain_text("notes.txt")
    assert container.exec_run(["cat", "/srv/app/notes.txt"]).output == b"from the browser\n"
