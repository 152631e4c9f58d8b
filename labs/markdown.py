"""Lab texts: Markdown (CommonMark, raw HTML off) rendered by markdown-it-py, then cleaned by nh3
to a short list of tags, so that no template can put script or styles into a learner's page."""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
TAGS = {
    "p", "h1", "h2", "h3", "h4", "ul", "ol", "li", "code", "pre", "em", "strong", "a",
    "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "kbd",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}}


def render(text: str) -> SafeString:
    html = _markdown.render(text)
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 -- nh3 has just cleaned it
