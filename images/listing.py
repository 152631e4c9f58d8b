"""Rows of the image list (`docker images`): one row per tag, dangling ones as <none>:<none>."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dashboard.web.paging import page_of
from images import updates

NONE = "<none>"
SORT_KEYS = {
    "repository": lambda r: (r.repository, r.tag),
    "tag": lambda r: (r.tag, r.repository),
    "id": lambda r: r.id,
    "created": lambda r: r.created,
    "size": lambda r: r.size,
}
DEFAULT_SORT = "-created"


@dataclass(frozen=True)
class ImageRow:
    id: str
    repository: str
    tag: str
    created: datetime
    size: int

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12]

    @property
    def dangling(self) -> bool:
        return self.tag == NONE

    @property
    def reference(self) -> str:
        """What `docker rmi` should be given for this row: the tag, or the id when dangling."""
        return self.short_id if self.dangling else f"{self.repository}:{self.tag}"

    def matches(self, query: str) -> bool:
        query = query.lower().removeprefix("sha256:")
        return (
            query in self.repository.lower()
            or query in self.tag.lower()
            or self.id.removeprefix("sha256:").startswith(query)
        )


def _split_tag(repo_tag: str) -> tuple[str, str]:
    repository, sep, tag = repo_tag.rpartition(":")
    if not sep or "/" in tag:  # a registry port, not a tag
        return repo_tag, NONE
    return repository, tag


def normalise_sort(sort: str | None) -> str:
    return sort if sort and sort.lstrip("-") in SORT_KEYS else DEFAULT_SORT


def image_rows(
    summaries: list[dict[str, Any]], query: str = "", dangling_only: bool = False, sort: str = ""
) -> list[ImageRow]:
    rows = []
    for image in summaries:
        tags = [t for t in image.get("RepoTags") or [] if t != "<none>:<none>"]
        if not tags:
            digests = image.get("RepoDigests") or []
            tags = [f"{d.partition('@')[0]}:{NONE}" for d in digests[:1]] or [f"{NONE}:{NONE}"]
        created = datetime.fromtimestamp(image.get("Created", 0), tz=UTC)
        for repo_tag in tags:
            repository, tag = _split_tag(repo_tag)
            rows.append(ImageRow(image["Id"], repository, tag, created, image.get("Size", 0)))
    if dangling_only:
        rows = [r for r in rows if r.dangling]
    if query.strip():
        rows = [r for r in rows if r.matches(query.strip())]
    sort = normalise_sort(sort)
    return sorted(rows, key=SORT_KEYS[sort.lstrip("-")], reverse=sort.startswith("-"))


def list_context(summaries: list[dict[str, Any]], params: Mapping[str, str]) -> dict[str, Any]:
    """The image list page's rows for its filters (``q``, ``dangling``, ``sort``, ``page``),
    and the tags whose registry holds another image (the last update check)."""
    query = params.get("q", "")
    dangling = params.get("dangling") == "on"
    sort = normalise_sort(params.get("sort"))
    rows = image_rows(summaries, query, dangling, sort)
    return {
        "rows": rows,
        "page": page_of(rows, params.get("page")),
        "image_count": len(summaries),
        "outdated": updates.outdated(summaries),
        "query": query,
        "dangling": dangling,
        "sort": sort,
        "params": params,
    }
