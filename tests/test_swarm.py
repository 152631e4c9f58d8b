"""Swarm on a real single-node manager (the second engine): nodes, services and tasks; the
administrators' actions checked with the SDK; a member's services pass the same policy gate as
containers (the hole of CVE-2026-44849), and nothing refused reaches the engine."""

import subprocess
import time
from collections.abc import Iterator

import docker
import pytest
from django.core.management import call_command
from django.test import Client

from dashboard.models import AuditEvent, Team
from tests.harness.accounts import signed_in
from tests.harness.run import RUN_ID
from tests.pages import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def manager(second_engine_address: str) -> Iterator[docker.DockerClient]:
    client = docker.DockerClient(base_url=second_engine_address, version="1.41", timeout=60)
    subprocess.run(
        ["docker", "-H", second_engine_address, "swarm", "init", "--advertise-addr", "127.0.0.1"],
        check=True,
        capture_output=True,
    )
    yield client
    for service in client.services.list():
        service.remove()
    subprocess.run(
        ["docker", "-H", second_engine_address, "swarm", "leave", "--force"], capture_output=True
    )
    subprocess.run(["ip", "link", "del", "docker_gwbridge"], capture_output=True)
    client.close()


@pytest.fixture
def on_swarm(manager: docker.DockerClient, second_engine_address: str, team: Team) -> str:
    call_command("engine", "add", "second", second_engine_address)
    team.engines = "local\nsecond"
    team.save()
    yield "/engines/second/swarm/"
    for service in manager.services.list():
        service.remove()


def service_fields(busybox: str, name: str, **extra: str) -> dict[str, str]:
    return {"name": name, "image": busybox, "replicas": "1", "command": "sleep 300", **extra}


def wait_for(predicate, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_administrators_see_and_act_on_the_cluster(
    on_swarm: str, manager: docker.DockerClient, admin_client: Client, busybox: str
) -> None:
    name = f"web-{RUN_ID}"
    created = admin_client.post(on_swarm + "services/new/", service_fields(busybox, name))
    assert created.status_code == 302, text_of(created.content)
    service = manager.services.get(name)
    page = text_of(admin_client.get(on_swarm).content)
    node = manager.nodes.list()[0]
    assert node.attrs["Description"]["Hostname"] in page and name in page
    assert "docker node ls" in page and "docker service ls" in page

    admin_client.post(
        on_swarm + f"services/{service.id}/actions/", {"action": "scale", "replicas": "2"}
    )
    service.reload()
    assert service.attrs["Spec"]["Mode"]["Replicated"]["Replicas"] == 2
    wait_for(lambda: len([t for t in service.tasks() if t["Status"]["State"] == "running"]) == 2)
    assert text_of(admin_client.get(on_swarm).content).count("running") >= 2

    admin_client.post(
        on_swarm + f"nodes/{node.id}/actions/", {"action": "availability", "availability": "drain"}
    )
    node.reload()
    assert node.attrs["Spec"]["Availability"] == "drain"
    admin_client.post(
        on_swarm + f"nodes/{node.id}/actions/", {"action": "availability", "availability": "active"}
    )
    node.reload()
    assert node.attrs["Spec"]["Availability"] == "active"

    admin_client.post(on_swarm + f"services/{service.id}/actions/", {"action": "remove"})
    assert manager.services.list(filters={"name": name}) == []
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"service-create", "service-scale", "node-availability", "service-remove"} <= actions


def test_a_failed_change_is_logged_and_bad_input_is_no_refusal(
    on_swarm: str, manager: docker.DockerClient, admin_client: Client, member, busybox: str
) -> None:
    """The engine's no (scaling a global service) is in the log as an error; a replica count
    that is no number is the administrator's typo, said on the page, not a policy refusal; a
    member's change is a refusal in the log."""
    service = manager.services.create(
        busybox, ["sleep", "300"], name=f"global-{RUN_ID}", mode=docker.types.ServiceMode("global")
    )
    actions = on_swarm + f"services/{service.id}/actions/"
    failed = admin_client.post(actions, {"action": "scale", "replicas": "2"})
    assert "service mode change is not allowed" in text_of(failed.content)
    typo = admin_client.post(actions, {"action": "scale", "replicas": "two"})
    assert "Use a number of replicas from 0 to 1000." in text_of(typo.content)
    assert signed_in(member).post(actions, {"action": "remove"}).status_code == 403
    rows = AuditEvent.objects.filter(target_kind="service").order_by("pk")
    assert list(rows.values_list("action", "outcome")) == [
        ("service-scale", "error"),
        ("service-remove", "refused"),
    ]


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"mounts": "/:/host"}, "Host paths are for administrators"),
        ({"mounts": "//etc:/host"}, "Host paths are for administrators"),
        ({"network": "host"}, "is not allowed in team"),
        ({"network": "HOST"}, "is not allowed in team"),
        ({"ports": "8080:80"}, "may not publish port 8080"),
        ({"memory": "4g"}, "4 GiB asked; 512 MiB is the most"),
        ({"replicas": "500"}, "500 replicas asked"),
        ({"image": "busybox"}, "is not on the list of images"),
        ({"privileged": "true"}, "Unknown fields: privileged"),
    ],
)
def test_a_members_service_passes_the_gate(
    on_swarm: str, manager: docker.DockerClient, member, busybox: str, extra, words
) -> None:
    name = f"members-{RUN_ID}"
    response = signed_in(member).post(
        on_swarm + "services/new/", service_fields(busybox, name, **extra)
    )
    assert response.status_code == 400
    assert words in text_of(response.content)
    assert manager.services.list(filters={"name": name}) == []


def test_a_members_allowed_service_is_hardened_and_theirs(
    on_swarm: str, manager: docker.DockerClient, member, admin, busybox: str
) -> None:
    client = signed_in(member)
    name = f"ok-{RUN_ID}"
    assert client.post(on_swarm + "services/new/", service_fields(busybox, name)).status_code == 302
    spec = manager.services.get(name).attrs["Spec"]
    assert spec["Labels"]["dockboard.owner"] == str(member.pk)
    assert spec["TaskTemplate"]["ContainerSpec"]["CapabilityDrop"] == ["ALL"]
    assert spec["TaskTemplate"]["Resources"]["Limits"]["MemoryBytes"] == 512 * 1024**2
    manager.services.create(busybox, ["sleep", "300"], name=f"admins-{RUN_ID}")
    seen = text_of(client.get(on_swarm).content)
    assert name in seen and f"admins-{RUN_ID}" not in seen
    service_id = manager.services.get(name).id
    assert (
        client.post(on_swarm + f"services/{service_id}/actions/", {"action": "remove"}).status_code
        == 403
    )
    assert manager.services.list(filters={"name": name})


def test_an_engine_that_is_no_manager_says_so(admin_client: Client) -> None:
    response = admin_client.get("/engines/local/swarm/")
    assert response.status_code == 404
    assert "This engine is not a Swarm manager." in text_of(response.content)
