"""Rows of the image list (`docker images`): one row per tag, dangling ones as <none>:<none>."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

NONE = "<none>"


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


def _split_tag(repo_tag: str) -> tuple[str, str]:
    repository, sep, tag = repo_tag.rpartition(":")
    if not sep or "/" in tag:  # a registry port, not a tag
        return repo_tag, NONE
    return repository, tag


def image_rows(summaries: list[dict[str, Any]]) -> list[ImageRow]:
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
    return sorted(rows, key=lambda r: (r.created, r.repository, r.tag), reverse=True)
