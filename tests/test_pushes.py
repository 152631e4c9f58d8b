"""`docker push` from an image's page, run by a real worker, to real loopback registries: a
member's own build goes out with the team's stored login (and fails with a clear message until
there is one); the gate refuses another's image, a name off the allow-list and a link-local
registry before anything is queued; a slow push is cancelled."""

import contextlib
import io
import time
from collections.abc import Iterator
from datetime import timedelta

import docker
import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from dashboard.models import AuditEvent, Team
from dashboard.policy import ownership
from images.models import PushJob
from images.pushes import KEPT_DAYS, forget_old_pushes
from tests.harness.accounts import signed_in
from tests.harness.images import build_layered_image
from tests.harness.registry import PRIVATE_LOGIN, allowing, loopback_registry
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.harness.throttle import throttled_proxy
from tests.pages import get_ok, text_of

pytestmark = pytest.mark.django_db(transaction=True)
USER, SECRET = PRIVATE_LOGIN
MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


@pytest.fixture
def private_registry() -> Iterator[str]:
    with loopback_registry(login=PRIVATE_LOGIN) as address:
        yield address


@pytest.fixture
def own_image(engine: docker.DockerClient, busybox: str, member: User, team: Team):
    """An image of the member's own, as their build makes it: a layer of its own on busybox,
    and Dockboard's record that it is theirs. Every name it gets is removed after."""
    dockerfile = f"FROM {busybox}\nRUN echo {RUN_ID} > /pushed\nLABEL {LABEL_KEY}={RUN_ID}\n"
    image, _log = engine.images.build(fileobj=io.BytesIO(dockerfile.encode()), rm=True)
    ownership.record(ownership.Kind.IMAGE, image.id, member.pk, team.pk)
    yield image
    with contextlib.suppress(docker.errors.ImageNotFound):
        engine.images.remove(image.id, force=True)


def ask_push(client: Client, image: object, name: str) -> object:
    """Press Push beside ``name`` on the image's page; the response, redirects followed."""
    return client.post(f"/engines/local/images/{image.id}/push/", {"name": name}, follow=True)


def finished(job_id: object, seconds: float = 60) -> PushJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = PushJob.objects.get(pk=job_id)
        if job.state not in PushJob.ACTIVE:
            return job
        time.sleep(0.2)
    raise AssertionError(f"the push did not end: {PushJob.objects.get(pk=job_id).log}")


def pushed_job(response: object) -> PushJob:
    assert response.redirect_chain, text_of(response.content)
    job_id = response.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[-1]
    return finished(job_id)


def registry_digest(name: str, login: tuple[str, str] | None = None) -> str | None:
    """What the registry says ``name`` holds now (its manifest's digest), asked over HTTP as
    any client would; None when it holds nothing under that tag."""
    address, _slash, rest = name.partition("/")
    repository, _colon, tag = rest.rpartition(":")
    answer = requests.get(
        f"http://{address}/v2/{repository}/manifests/{tag}",
        headers={"Accept": MANIFEST},
        auth=login,
        timeout=10,
    )
    if answer.status_code == 404:
        return None
    answer.raise_for_status()
    return answer.headers["Docker-Content-Digest"]


def test_a_member_pushes_their_build_with_the_teams_stored_login(
    member: User, instructor: User, team: Team, own_image, private_registry: str,
    start_worker,
) -> None:  # fmt: skip
    name = f"{private_registry}/dockboard-test/pushed:{RUN_ID}"
    allowing(team, name)
    own_image.tag(name)
    start_worker()
    as_member = signed_in(member)
    page = text_of(get_ok(as_member, f"/engines/local/images/{own_image.id}/"))
    assert "Push" in page

    job = pushed_job(ask_push(as_member, own_image, name))
    assert job.state == "failed"
    assert f"{private_registry} asks for a login, and none of your teams has stored one" in (
        job.error
    )
    assert job.error in text_of(get_ok(as_member, f"/engines/local/images/pushes/{job.pk}/"))
    assert registry_digest(name, PRIVATE_LOGIN) is None

    stored = signed_in(instructor).post(
        f"/teams/{team.pk}/registries/",
        {"registry": f"http://{private_registry}/", "engine": "", "username": USER,
         "password": SECRET},
    )  # fmt: skip
    assert stored.status_code == 302
    job = pushed_job(ask_push(as_member, own_image, name))
    assert job.state == "succeeded", job.error
    assert job.digest.startswith("sha256:")
    assert registry_digest(name, PRIVATE_LOGIN) == job.digest
    page = text_of(get_ok(as_member, f"/engines/local/images/pushes/{job.pk}/"))
    assert f"Pushed {name}." in page and f"$ docker push {name}" in page
    assert ": Pushed" in job.log  # the layer of its own went out
    assert SECRET not in job.log
    outcomes = AuditEvent.objects.filter(actor=member, target_name=name)
    assert sorted(outcomes.values_list("action", "outcome")) == [
        ("push", "ok"), ("push", "ok"), ("push-finished", "error"), ("push-finished", "ok"),
    ]  # fmt: skip
    image_page = text_of(get_ok(as_member, f"/engines/local/images/{own_image.id}/"))
    assert "Pushes" in image_page and name in image_page


def test_the_gate_refuses_pushes_before_anything_is_queued(
    member: User, other_member: User, outsider: User, team: Team, own_image, busybox: str,
    registry: str, engine: docker.DockerClient,
) -> None:  # fmt: skip
    ours = f"{registry}/dockboard-test/gated:{RUN_ID}"
    off_list = f"{registry}/elsewhere/gated:{RUN_ID}"
    link_local = f"169.254.169.254/dockboard-test/gated:{RUN_ID}"
    for name in (ours, off_list, link_local):
        own_image.tag(name)
    shared = engine.images.get(busybox)
    cases = [
        (other_member, own_image, ours, "You may push only the images you built or committed"),
        (member, shared, busybox, "You may push only the images you built or committed"),
        (member, own_image, off_list, f"{off_list} is not on the list of images team"),
        (member, own_image, link_local, "Registries at link-local addresses such as"),
        (outsider, own_image, ours, f"No such image: {ours}"),
        (member, own_image, f"{registry}/dockboard-test/never:{RUN_ID}", "No such image"),
    ]
    for user, image, name, reason in cases:
        response = ask_push(signed_in(user), image, name)
        assert reason in text_of(response.content), (user, name)
    assert not PushJob.objects.exists()
    refused = AuditEvent.objects.filter(action="push", outcome="refused")
    assert refused.count() == len(cases) - 2  # "no such image" is an error, not the gate's no
    assert registry_digest(ours) is None


@pytest.fixture
def slow_upload(registry: str) -> Iterator[str]:
    """The registry behind a link that takes 2 MB a second each way."""
    with throttled_proxy(registry, 2_000_000, upload=2_000_000) as address:
        yield address


def test_a_slow_push_is_cancelled(
    member: User, team: Team, slow_upload: str, engine: docker.DockerClient, start_worker
) -> None:
    name = f"{slow_upload}/dockboard-test/slow-push:{RUN_ID}"
    allowing(team, name)
    image_id = build_layered_image(
        engine, name, {LABEL_KEY: RUN_ID}, layers=2, layer_bytes=8_000_000
    )
    try:
        ownership.record(ownership.Kind.IMAGE, image_id, member.pk, team.pk)
        start_worker()
        as_member = signed_in(member)
        response = as_member.post(f"/engines/local/images/{image_id}/push/", {"name": name})
        job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
        deadline = time.monotonic() + 30
        while "Pushing [" not in PushJob.objects.get(pk=job_id).log:
            assert time.monotonic() < deadline, PushJob.objects.get(pk=job_id).log
            time.sleep(0.2)
        as_member.post(f"/engines/local/images/pushes/{job_id}/cancel/")
        job = finished(job_id, seconds=15)
        assert job.state == "cancelled", (job.state, job.error)
        page = text_of(get_ok(as_member, f"/engines/local/images/pushes/{job_id}/"))
        assert "cancelled" in page
        assert (
            f"/pushes/{job_id}/cancel/"
            not in get_ok(as_member, f"/engines/local/images/pushes/{job_id}/").decode()
        )
        assert registry_digest(name) is None
    finally:
        engine.images.remove(image_id, force=True)


def test_finished_pushes_are_forgotten_after_thirty_days(member: User) -> None:
    old = timezone.now() - timedelta(days=KEPT_DAYS + 1)
    fields = {"requested_by": member, "reference": "r/x:1", "command": "docker push r/x:1"}
    done = PushJob.objects.create(**fields, state="succeeded")
    waiting = PushJob.objects.create(**fields, state="queued")
    recent = PushJob.objects.create(**fields, state="failed")
    PushJob.objects.filter(pk__in=[done.pk, waiting.pk]).update(created_at=old)
    assert forget_old_pushes(sender=None) == 1
    assert set(PushJob.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
