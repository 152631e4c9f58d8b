"""Reading what a page shows, as a user would see it."""

import re
from html import unescape

from asgiref.sync import async_to_sync
from django.http import StreamingHttpResponse
from django.test.client import Client


def text_of(html: bytes | str) -> str:
    """The page's visible text, tags removed and whitespace folded."""
    if isinstance(html, bytes):
        html = html.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def marked(html: bytes, attribute: str) -> dict[str, str]:
    """Text of the elements marked ``attribute="name"``, by name."""
    pattern = rf'{attribute}="([^"]+)"[^>]*>([^<]*)<'
    return {name: unescape(value).strip() for name, value in re.findall(pattern, html.decode())}


def streamed(response: StreamingHttpResponse) -> bytes:
    """The whole body of a response streamed from an async iterator, as the ASGI server reads it."""

    async def gather() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(gather)()


def get_ok(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:2000]
    return response.content


def log_in(page, username: str = "member") -> None:
    """Sign in through the login form, as a person would, in a Playwright page."""
    from tests.harness.accounts import PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


SHOWS_ROW = """(text) => {
  const buffer = window.dockboardTerminal.buffer.active;  // what either renderer draws
  for (let i = 0; i < buffer.length; i++) {
    if (buffer.getLine(i)?.translateToString(true).trimEnd() === text) return true;
  }
  return false;
}"""


def wait_for_row(page, text: str) -> None:
    """Wait until a whole line of the terminal reads ``text``."""
    page.wait_for_function(SHOWS_ROW, arg=text, timeout=10_000)


SHOWS_TEXT = """(text) => {
  const buffer = window.dockboardTerminal.buffer.active;
  for (let i = 0; i < buffer.length; i++) {
    if (buffer.getLine(i)?.translateToString(true).includes(text)) return true;
  }
  return false;
}"""


def wait_for_text(page, text: str, timeout: float = 10_000) -> None:
    """Wait until a line of the terminal shows ``text``."""
    page.wait_for_function(SHOWS_TEXT, arg=text, timeout=timeout)
