"""The update indicator, against the loopback registries: a tag is up to date until another
image is pushed under it; the list then marks it and links to its pull, and the pull clears the
mark. The hourly check asks a private registry with the team's stored login."""

import re
from urllib.parse import quote

import docker
import pytest
from django.contrib.auth.models import User

from dashboard.models import Team
from images import updates
from images.models import UpdateCheck
from teams import registry_logins
from tests.harness.accounts import signed_in
from tests.harness.images import build_busybox_image, push
from tests.harness.registry import PRIVATE_LOGIN, allowing
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import get_ok, text_of
from tests.pull_jobs import ask_pull, finished, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def row_of(page: str, reference: str) -> str:
    repository, tag = reference.rsplit(":", 1)
    start = page.index(f"{repository} {tag}")
    return page[start : start + len(reference) + 40]


def test_a_tag_pushed_again_is_marked_until_it_is_pulled(
    member: User, engine: docker.DockerClient, registry: str, start_worker
) -> None:
    reference = f"{registry}/dockboard-test/moving:{RUN_ID}"
    first = build_busybox_image(engine, reference, {LABEL_KEY: RUN_ID, "edition": "1"})
    push(engine, reference)
    client = signed_in(member)
    client.post("/engines/local/images/updates/")
    assert UpdateCheck.objects.get(reference=reference).remote_digest.startswith("sha256:")
    assert "update available" not in row_of(
        text_of(get_ok(client, "/engines/local/images/")), reference
    )

    # Someone else pushes a new image under the same tag; this engine still has the first.
    build_busybox_image(engine, reference, {LABEL_KEY: RUN_ID, "edition": "2"})
    push(engine, reference)
    engine.images.get(first).tag(reference)
    asked = text_of(client.post("/engines/local/images/updates/", follow=True).content)
    assert re.search(r"[1-9][0-9]* with an update", asked), asked[:600]
    listing = get_ok(client, "/engines/local/images/").decode()
    assert "update available" in row_of(text_of(listing), reference)
    assert f'href="/engines/local/images/pull/?reference={quote(reference, safe="/")}"' in listing

    start_worker()
    job = wait_for(ask_pull(client, reference), finished)
    assert job.state == "succeeded", job.error
    assert engine.images.get(reference).id != first
    assert "update available" not in row_of(
        text_of(get_ok(client, "/engines/local/images/")), reference
    )


def test_the_hourly_check_asks_a_private_registry_with_the_teams_login(
    team: Team, instructor: User, engine: docker.DockerClient, private_image: str
) -> None:
    allowing(team, private_image)
    user, password = PRIVATE_LOGIN
    engine.images.pull(private_image, auth_config={"username": user, "password": password})
    try:
        updates.check_every_engine(sender=None)
        failed = UpdateCheck.objects.get(engine="local", reference=private_image)
        assert failed.remote_digest == "" and "no basic auth credentials" in failed.error

        registry_logins.add(instructor, team, private_image.split("/", 1)[0], "", user, password)
        updates.check_every_engine(sender=None)
        checked = UpdateCheck.objects.get(engine="local", reference=private_image)
        local = engine.images.get(private_image).attrs["RepoDigests"]
        assert (
            checked.error == ""
            and f"{private_image.rsplit(':', 1)[0]}@{checked.remote_digest}" in local
        )
    finally:
        engine.images.remove(private_image)
