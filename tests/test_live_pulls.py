"""A pull's progress on the wire: pushed to each socket watching the job, from the worker, only
to users who may see the job, and closed when the user signs out."""

import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from dashboard.asgi import application
from dashboard.live.sessions import close_connections
from images import pulls
from images.models import PullJob
from tests.harness.accounts import session_cookie
from tests.terminal_client import HOST, ORIGIN

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
STATE = re.compile(r'id="pull-progress"[^>]*data-state="(\w+)"')
DONE = re.compile(r'data-layer-current="(\d+)"')


def pull_socket(user: User, job: PullJob) -> WebsocketCommunicator:
    headers = [(b"host", HOST), (b"origin", ORIGIN), (b"cookie", session_cookie(user))]
    return WebsocketCommunicator(application, f"/ws/images/pulls/{job.pk}/", headers=headers)


async def opened(user: User, job: PullJob) -> tuple[WebsocketCommunicator, str]:
    socket = await sync_to_async(pull_socket)(user, job)
    assert (await socket.connect(timeout=10))[0]
    return socket, await socket.receive_from(timeout=5)


def queued_job(user: User, reference: str) -> PullJob:
    return PullJob.objects.create(reference=reference, requested_by=user)


async def test_each_tab_receives_the_progress_as_the_worker_pulls(
    member: User, start_worker, layered_image: str, slow_registry: str, not_local
) -> None:
    reference = not_local(layered_image.replace(layered_image.split("/")[0], slow_registry))
    job = await sync_to_async(queued_job)(member, reference)
    tabs = [await opened(member, job) for _ in range(3)]
    assert all(STATE.search(first)[1] == "queued" for _, first in tabs)
    await sync_to_async(start_worker)()
    await sync_to_async(pulls.pull_image.enqueue)(str(job.pk))

    for socket, _ in tabs:
        states, totals = [], set()
        while not states or states[-1] in {"queued", "running"}:
            frame = await socket.receive_from(timeout=5)  # something new at least every 5 s
            states.append(STATE.search(frame)[1])
            totals.add(sum(int(done) for done in DONE.findall(frame)))
        assert "running" in states and states[-1] == "succeeded", states
        assert len(totals) >= 3, totals  # the bytes moved, frame by frame
        await socket.disconnect()


async def test_a_cancel_reaches_every_tab(member: User, layered_image: str) -> None:
    job = await sync_to_async(queued_job)(member, layered_image)
    tabs = [await opened(member, job) for _ in range(3)]
    await sync_to_async(pulls.cancel)(job)
    for socket, _ in tabs:
        assert STATE.search(await socket.receive_from(timeout=1))[1] == "cancelled"
        await socket.disconnect()


async def test_someone_elses_pull_is_refused_like_a_missing_one(
    member: User, other_member: User, outsider: User, layered_image: str
) -> None:
    job = await sync_to_async(queued_job)(member, layered_image)
    for someone_else in (other_member, outsider):
        socket = await sync_to_async(pull_socket)(someone_else, job)
        assert not (await socket.connect(timeout=10))[0]
    await sync_to_async(job.delete)()
    missing = await sync_to_async(pull_socket)(member, job)
    assert not (await missing.connect(timeout=10))[0]


async def test_signing_out_closes_the_pull_page_socket(member: User, layered_image: str) -> None:
    job = await sync_to_async(queued_job)(member, layered_image)
    socket, _ = await opened(member, job)
    await sync_to_async(close_connections)(member.pk)
    assert (await socket.receive_output(timeout=5))["type"] == "websocket.close"
