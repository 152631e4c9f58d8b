"""Team quotas: counted from the engine, held atomically, refused with the numbers."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

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
    team.memory_request = 512 * 1024**2  # each container requests its whole limit
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
        f"Your quota in team {team.name}: 1 GiB of 1 GiB memory requested; "
        "this container requests 512 MiB." in text_of(refused.content)
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


@pytest.mark.django_db
def test_quotas_count_requests_not_limits(
    member: User, team: Team, busybox: str, engine: docker.DockerClient
) -> None:
    """Idle shells each limited to a CPU and 512 MiB, under a member quota of 2 CPUs and 1 GiB:
    their requests (the team's 0.1 CPU and 64 MiB) are what count, so ten of them run."""
    team.member_containers, team.member_cpus, team.member_memory = 10, 2, 1 * GIB
    team.save()
    client = signed_in(member)
    for number in range(10):
        made = client.post("/engines/local/containers/new/",
                           create_fields(busybox, f"q{number}-{RUN_ID}"))  # fmt: skip
        assert made.status_code == 302, text_of(made.content)
    host = engine.containers.get(f"q0-{RUN_ID}").attrs["HostConfig"]
    assert (host["Memory"], host["NanoCpus"]) == (512 * 1024**2, 10**9)  # the limits stay
    assert (host["MemoryReservation"], host["CpuShares"]) == (64 * 1024**2, 102)
    team.cpu_request = 1  # now each requests a whole CPU: the quota says which limit, with numbers
    team.member_containers, team.member_cpus = 20, Decimal("1.5")
    team.save()
    refused = client.post("/engines/local/containers/new/", create_fields(busybox, f"qx-{RUN_ID}"))
    assert refused.status_code == 400
    assert (
        f"Your quota in team {team.name}: 1 of 1.5 CPUs requested; this container requests 1."
        in text_of(refused.content)
    )


@pytest.mark.django_db
def test_a_request_is_held_to_the_limit_and_must_be_a_number(
    member: User, team: Team, busybox: str, engine: docker.DockerClient
) -> None:
    from dashboard.policy import containers as gate
    from dashboard.policy.refusals import PolicyRefusal

    asked = {"image": busybox, "command": ["true"], "labels": {LABEL_KEY: RUN_ID},
             "host_config": {"Memory": 32 * 1024**2, "MemoryReservation": 256 * 1024**2,
                             "CpuShares": 4096}}  # fmt: skip
    made = gate.create_container(member, team.pk, asked)
    try:
        host = engine.containers.get(made).attrs["HostConfig"]
        assert (host["MemoryReservation"], host["CpuShares"]) == (32 * 1024**2, 1024)
    finally:
        engine.containers.get(made).remove(force=True)
    for bad in ({"MemoryReservation": -1}, {"CpuShares": "1024"}, {"CpuShares": True}):
        with pytest.raises(PolicyRefusal):
            gate.create_container(member, team.pk, {**asked, "host_config": bad})


@pytest.mark.django_db
def test_the_create_form_asks_a_request_beside_the_limit(
    member: User, team: Team, busybox: str, engine: docker.DockerClient
) -> None:
    from dashboard.models import AuditEvent

    fields = {**create_fields(busybox, f"req-{RUN_ID}"), "memory": "256m", "memory_request": "128m"}
    made = signed_in(member).post("/engines/local/containers/new/", fields)
    assert made.status_code == 302, text_of(made.content)
    host = engine.containers.get(f"req-{RUN_ID}").attrs["HostConfig"]
    assert (host["Memory"], host["MemoryReservation"]) == (256 * 1024**2, 128 * 1024**2)
    row = AuditEvent.objects.filter(action="create").latest("created_at")
    assert "--memory 256m --memory-reservation 128m" in row.command
    bad = signed_in(member).post(
        "/engines/local/containers/new/",
        {**create_fields(busybox, f"req2-{RUN_ID}"), "memory_request": "lots"},
    )
    assert bad.status_code == 400 and "Invalid memory" in text_of(bad.content)
