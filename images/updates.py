"""The update indicator: each tag's registry is asked which image the tag names now (through
the engine, as `docker pull` would ask, with the team's stored login) and the answer is kept;
the image list marks a tag whose local image is not that one. Asked on demand from the list,
and every hour by the task worker for every engine.

A tag with no digest from its repository (built here, never pushed or pulled) has nothing to
compare with and is not asked."""

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.contrib.auth.models import User
from django.dispatch import receiver
from django.utils import timezone

from dashboard.engine import current as engine
from dashboard.engine import images as engine_images
from dashboard.engine import registry
from dashboard.engine.errors import EngineError
from dashboard.notation.reference import InvalidReference, parse_reference
from dashboard.ops.housekeeping import housekeeping
from dashboard.policy import registry_logins
from images.models import UpdateCheck
from images.pull_progress import short_error

log = logging.getLogger(__name__)
ASKED_AT_ONCE = 8  # registries answer in tens of milliseconds; a hundred tags take a second


def local_digests(summaries: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Each tag (``repository:tag``) and the digests its repository knows its image by."""
    found: dict[str, set[str]] = {}
    for image in summaries:
        known: dict[str, set[str]] = {}
        for entry in image.get("RepoDigests") or []:
            repository, _at, digest = entry.partition("@")
            known.setdefault(repository, set()).add(digest)
        for tag in image.get("RepoTags") or []:
            repository = tag.rpartition(":")[0]
            if repository in known:
                found[tag] = known[repository]
    return found


def outdated(summaries: list[dict[str, Any]]) -> set[str]:
    """The tags whose registry named another image when last asked."""
    digests = local_digests(summaries)
    checks = UpdateCheck.objects.filter(engine=engine.current_name()).exclude(remote_digest="")
    return {
        reference
        for reference, remote in checks.values_list("reference", "remote_digest")
        if reference in digests and remote not in digests[reference]
    }


def check(user: User | None, summaries: list[dict[str, Any]]) -> dict[str, int]:
    """Ask the registries of these images' tags, on the current engine (``user``'s stored
    logins; None: the installation's own hourly check). How many are up to date, outdated,
    and could not be asked."""
    name = engine.current_name()
    digests = local_digests(summaries)
    asks = []
    for tag in sorted(digests):
        try:
            reference = parse_reference(tag)
        except InvalidReference:
            continue
        asks.append((tag, registry_logins.login_for(user, reference, name)))

    def ask(tag: str, login: registry_logins.RegistryAuth | None) -> tuple[str, str, str]:
        with engine.on(name):
            try:
                answer = engine_images.inspect_distribution(tag, login)
            except EngineError as exc:
                return tag, "", short_error(exc.message)
        return tag, (answer.get("Descriptor") or {}).get("digest", ""), ""

    with ThreadPoolExecutor(ASKED_AT_ONCE) as pool:
        answers = list(pool.map(lambda pair: ask(*pair), asks))
    now = timezone.now()
    counts = {"current": 0, "outdated": 0, "failed": 0}
    for tag, remote, error in answers:
        UpdateCheck.objects.update_or_create(
            engine=name, reference=tag,
            defaults={"remote_digest": remote, "error": error[:300], "checked_at": now},
        )  # fmt: skip
        kind = "failed" if not remote else "current" if remote in digests[tag] else "outdated"
        counts[kind] += 1
    return counts


@receiver(housekeeping, dispatch_uid="images.updates")
def check_every_engine(sender: object, **kwargs: object) -> None:
    for address in registry.every_engine():
        with engine.on(address.name):
            try:
                check(None, engine_images.list_images())
            except EngineError as exc:
                log.info("update check of %s skipped: %s", address.name, exc.message)
