"""Pull jobs as tests ask for them and wait on them."""

import time

from django.test import Client

from images.models import PullJob
from tests.pages import text_of


def wait_for(job_id, predicate, timeout: float = 30) -> PullJob:
    deadline = time.monotonic() + timeout
    while True:
        job = PullJob.objects.get(pk=job_id)
        if predicate(job):
            return job
        assert time.monotonic() < deadline, f"job stuck: {job.state} {job.error}"
        time.sleep(0.1)


def finished(job: PullJob) -> bool:
    return not job.is_active


def ask_pull(client: Client, reference: str) -> str:
    response = client.post("/engines/local/images/pull/", {"reference": reference})
    assert response.status_code == 302, text_of(response.content)[:500]
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def pulling(client: Client, reference: str) -> str:
    """Ask for a pull of ``reference``; its job id once its first bytes have come."""
    job_id = ask_pull(client, reference)
    wait_for(job_id, lambda job: job.bytes_done > 0)
    return job_id
