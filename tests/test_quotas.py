"""Team quotas: counted from the engine, held atomically, refused with the numbers."""

import threading
from concurrent.futures import ThreadPoolExecutor

import docker
import pytest
from django.contrib.auth.models import User
from django.db import connection

from dashboard.models import GIB, Team
from tests.harness.accounts import signed_in
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import text_of

PARALLEL = 10


def ours(engine: docker.DockerClient, team: Team) -> list:
    return engine.containers.list(all=True, filters={"label": f"dockboard.team={team.pk}"})


def create_fields(busybox: str, name: str) -> dict[str, str]:
    return {"image": busybox, "name": name, "command": "sleep 600",
            "labels": f"{LABEL_KEY}={RUN_ID}", "create": "1"}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_parallel_creates_never_pass_the_quota(
    member: User, team: Team, busybox: str, engine: docker.DockerClient
) -> None:
    team.member_containers = 5
    team.save()
    clients = [signed_in(member) for _ in range(PARALLEL)]
    start = threading.Barrier(PARALLEL)

    def create(number: int) -> tuple[int, str]:
        try:
            start.wait()
            response = clients[number].post(
                "/engines/local/containers/new/", create_fields(busybox, f"quota-{number}-{RUN_ID}")
            )
            return response.status_code, text_of(response.content)
        finally:
            connection.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(create, range(PARALLEL)))
    try:
        assert sorted(code for code, _text in results) == [302] * 5 + [400] * 5, [
            t[-300:] for c, t in results if c == 400
        ]
        refusals = [text for code, text in results if code == 400]
        quota = f"Your quota in team {team.name}: 5 of 5 containers are in use."
        assert all(quota in text for text in refusals)
        assert len(ours(engine, team)) == 5
    finally:
        for container in ours(engine, team):
            container.remove(force=True)


@pytest.mark.django_db
def test_memory_quota_names_the_numbers(
    member_client, team: Team, busybox: str, engine: docker.DockerClient
) -> None:
    team.member_memory = 1 * GIB
    team.save()
    for number in (1, 2):
        response = member_client.post(
            "/engines/local/containers/new/", create_fields(busybox, f"m{number}-{RUN_ID}")
        )
        assert response.status_code == 302
    refused = member_client.post(
        "/engines/local/containers/new/", create_fields(busybox, f"m3-{RUN_ID}")
    )
    assert refused.status_code == 400
    assert (
        f"Your quota in team {team.name}: 1 GiB of 1 GiB memory in use; "
        "this container asks 512 MiB." in text_of(refused.content)
    )
    assert len(ours(engine, team)) == 2


@pytest.mark.django_db
def test_the_team_quota_counts_every_members_containers(
    member_client, other_member: User, team: Team, busybox: str
) -> None:
    team.team_containers = 2
    team.save()
    theirs = signed_in(other_member).post(
        "/engines/local/containers/new/", create_fields(busybox, f"t0-{RUN_ID}")
    )
    assert theirs.status_code == 302
    first = member_client.post(
        "/engines/local/containers/new/", create_fields(busybox, f"t1-{RUN_ID}")
    )
    assert first.status_code == 302, text_of(first.content)
    refused = member_client.post(
        "/engines/local/containers/new/", create_fields(busybox, f"t2-{RUN_ID}")
    )
    assert f"Team {team.name}: 2 of 2 containers are in use." in text_of(refused.content)


@pytest.mark.django_db
def test_containers_removed_behind_dockboards_back_free_the_quota(
    member_client, team: Team, busybox: str, engine: docker.DockerClient
) -> None:
    team.member_containers = 1
    team.save()
    assert (
        member_client.post(
            "/engines/local/containers/new/", create_fields(busybox, f"r1-{RUN_ID}")
        ).status_code
        == 302
    )
    engine.containers.get(f"r1-{RUN_ID}").remove(force=True)  # with the CLI, not Dockboard
    again = member_client.post(
        "/engines/local/containers/new/", create_fields(busybox, f"r2-{RUN_ID}")
    )
    assert again.status_code == 302, text_of(again.content)
    refused = member_client.post(
        "/engines/local/containers/new/", create_fields(busybox, f"r3-{RUN_ID}")
    )
    assert "1 of 1 containers are in use" in text_of(refused.content)
