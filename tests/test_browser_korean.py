"""Korean as a reader sees it, in real Chromium on a phone's width: a word is never broken
between two syllables ("레이\\n어는"), in the text of a lab or in the menu."""

import pytest
from django.contrib.auth.models import User

from tests.pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every run of Hangul syllables in the elements matched, with the number of lines it is drawn
# on; a word split by a line break is drawn as two boxes.
SPLIT_WORDS = """(selector) => {
  const split = [];
  let words = 0;
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[\\uac00-\\ud7a3]{2,}/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
        if (tops.size === 0) continue;  // not drawn (a closed menu)
        words += 1;
        if (tops.size > 1) split.push(match[0]);
      }
    }
  }
  return {words, split};
}"""


def test_korean_words_are_not_broken_between_syllables_on_a_phone(
    page, live_url: str, instructor: User
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "teacher")
    page.context.add_cookies([{"name": "django_language", "value": "ko", "url": live_url}])
    page.goto("/labs/docker-engine/")
    assert page.locator("html").get_attribute("lang") == "ko"
    seen = page.evaluate(SPLIT_WORDS, ".lab-text, main h1, main h2, main li, main p")
    assert seen["words"] > 50, seen  # the lab's text, in Korean
    assert seen["split"] == [], seen
    page.goto("/")
    seen = page.evaluate(SPLIT_WORDS, "header.site")
    assert seen["words"] >= 3 and seen["split"] == [], seen
