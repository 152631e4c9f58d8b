"""Take the README's screenshot: the overview of a running Dockboard, in headless Chromium.

Usage: .venv/bin/python docs/screenshot.py URL USERNAME PASSWORD OUTPUT.png
"""

import sys

from playwright.sync_api import sync_playwright

from tests.harness.browser import CHROMIUM_FLAGS


def main(url: str, username: str, password: str, output: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
        )
        page = browser.new_page(viewport={"width": 1200, "height": 820}, base_url=url)
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_selector('[data-fact="version"]')
        page.screenshot(path=output, full_page=True)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:5])
