"""Pulls run by the real task worker from the real loopback registry, with per-layer progress."""

import time
import uuid
from datetime import timedelta

import docker
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from images.models import PullJob
from tests.harness.registry import free_port
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import text_of
from tests.pull_jobs import ask_pull, finished, pulling, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_pull_records_every_layer(
    member_client: Client, start_worker, layered_image: str, not_local, engine
) -> None:
    start_worker()
    job_id = ask_pull(member_client, not_local(layered_image))
    job = wait_for(job_id, finished)
    assert job.state == "succeeded", job.error
    assert job.image_id == engine.images.get(layered_image).id
    assert job.digest.startswith("sha256:")
    downloaded = [layer for layer in job.layers.values() if layer["status"] == "Pull complete"]
    assert len(downloaded) >= 3
    assert all(layer["total"] > 0 and layer["current"] == layer["total"] for layer in downloaded)
    assert job.bytes_total >= 3 * 8_000_000 and job.bytes_done == job.bytes_total

    page = text_of(member_client.get(f"/engines/local/images/pulls/{job_id}/").content)
    assert f"docker pull {layered_image}" in page
    assert "Pulled." in page and "Open the image" in page


def test_a_missing_tag_fails_with_the_engines_reason(
    member_client: Client, start_worker, layered_image: str
) -> None:
    start_worker()
    job_id = ask_pull(member_client, layered_image.rsplit(":", 1)[0] + ":no-such-tag")
    job = wait_for(job_id, finished)
    assert job.state == "failed"
    assert "manifest unknown" in job.error or "not found" in job.error
    page = text_of(member_client.get(f"/engines/local/images/pulls/{job_id}/").content)
    assert job.error in page and "Retry" in page


def test_an_unreachable_registry_fails_with_a_clear_message(
    admin_client: Client, start_worker
) -> None:
    start_worker()
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    job = wait_for(ask_pull(admin_client, f"{address}/nothing/here:1"), finished, timeout=60)
    assert job.state == "failed"
    assert "connection refused" in job.error and "Traceback" not in job.error
    page = text_of(admin_client.get(f"/engines/local/images/pulls/{job.pk}/").content)
    assert job.error in page and "Retry" in page


def test_cancel_stops_a_running_pull(
    member_client: Client, start_worker, layered_image: str, slow_registry: str, not_local, engine
) -> None:
    start_worker()
    reference = not_local(layered_image.replace(layered_image.split("/")[0], slow_registry))
    job_id = pulling(member_client, reference)
    member_client.post(f"/engines/local/images/pulls/{job_id}/actions/", {"action": "cancel"})
    job = wait_for(job_id, finished, timeout=10)
    assert job.state == "cancelled"
    with pytest.raises(docker.errors.ImageNotFound):
        engine.images.get(reference)


def test_a_second_pull_joins_the_running_one(
    member_client: Client, start_worker, layered_image: str, slow_registry: str, not_local
) -> None:
    start_worker()
    reference = not_local(layered_image.replace(layered_image.split("/")[0], slow_registry))
    first = ask_pull(member_client, reference)
    wait_for(first, lambda j: j.state == "running")
    assert ask_pull(member_client, reference) == first
    assert wait_for(first, finished).state == "succeeded"


def test_a_killed_worker_leaves_an_interrupted_job_that_retry_completes(
    member_client: Client, start_worker, layered_image: str, slow_registry: str, not_local, settings
) -> None:
    settings.DOCKBOARD_PULL_STALE_SECONDS = 3
    worker = start_worker()
    reference = not_local(layered_image.replace(layered_image.split("/")[0], slow_registry))
    job_id = pulling(member_client, reference)
    worker.kill()
    deadline = time.monotonic() + 30
    job_page = f"/engines/local/images/pulls/{job_id}/"
    stopped = "The worker running this pull stopped"
    while stopped not in (page := text_of(member_client.get(job_page).content)):
        assert time.monotonic() < deadline, page[:500]
        time.sleep(0.2)
    assert "interrupted" in page
    assert "interrupted" in text_of(member_client.get("/engines/local/images/pull/").content)
    assert PullJob.objects.get(pk=job_id).state == "running"  # pages only read

    start_worker()
    response = member_client.post(
        f"/engines/local/images/pulls/{job_id}/actions/", {"action": "retry"}
    )
    retried = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert retried != job_id
    assert wait_for(retried, finished).state == "succeeded"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reference": "Ubuntu"}, "must be lowercase"),
        ({"reference": "ubuntu:-bad"}, "Invalid tag"),
        ({"reference": ""}, "This field is required"),
        ({"reference": "ubuntu", "platform": "amd64"}, "os/architecture"),
    ],
)
def test_bad_input_is_refused_before_the_engine(member_client: Client, fields, message) -> None:
    response = member_client.post("/engines/local/images/pull/", fields)
    assert response.status_code == 400
    assert message in text_of(response.content)
    assert not PullJob.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "", {}),
        ("post", "actions/", {"action": "cancel"}),
        ("post", "actions/", {"action": "retry"}),
    ],
)
def test_a_missing_pull_is_a_clear_not_found(member_client: Client, method, path, data) -> None:
    missing = uuid.uuid4()
    response = getattr(member_client, method)(f"/engines/local/images/pulls/{missing}/{path}", data)
    assert response.status_code == 404
    assert f"No such pull: {missing}" in text_of(response.content)


def test_the_pull_page_in_korean(member_client: Client) -> None:
    text = text_of(
        member_client.get("/engines/local/images/pull/", headers={"Accept-Language": "ko"}).content
    )
    assert "이미지 내려받기" in text


def test_run_pulls_a_missing_image_then_starts_the_container(
    member_client: Client, start_worker, layered_image: str, not_local, engine
) -> None:
    start_worker()
    fields = {
        "image": not_local(layered_image),
        "name": f"pulled-first-{RUN_ID}",
        "interactive": "on",
        "tty": "on",
        "labels": f"{LABEL_KEY}={RUN_ID}",
        "run": "1",
    }
    response = member_client.post("/engines/local/containers/new/", fields)
    assert response.status_code == 302 and "/engines/local/images/pulls/" in response["Location"]
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    job = wait_for(job_id, finished)
    assert job.state == "succeeded" and job.next_url, job.follow_up_error
    assert job.follow_up["form"] == {k: v for k, v in fields.items() if k != "run"}
    container = engine.containers.get(f"pulled-first-{RUN_ID}")
    assert job.next_url == f"/engines/local/containers/{container.id}/terminal/"
    assert container.status == "running" and container.image.id == job.image_id

    follow = member_client.get(
        f"/engines/local/images/pulls/{job_id}/", headers={"HX-Request": "true"}
    )
    assert follow["HX-Redirect"] == f"/engines/local/containers/{container.id}/terminal/"
    container.remove(force=True)


def test_forgetting_old_pulls_forgets_only_those_the_user_may_see(
    member: User, other_member: User, member_client: Client, admin_client: Client
) -> None:
    def old_finished(user: User) -> PullJob:
        job = PullJob.objects.create(reference="x/y:1", requested_by=user, state="succeeded")
        PullJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=8))
        return job

    old_finished(member)
    theirs = old_finished(other_member)
    member_client.post("/engines/local/images/pulls/prune/")
    assert set(PullJob.objects.values_list("pk", flat=True)) == {theirs.pk}
    admin_client.post("/engines/local/images/pulls/prune/")
    assert not PullJob.objects.exists()
