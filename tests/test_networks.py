"""`docker network` from the pages: every action checked against the engine, for the network's
owner, another member of the team and an outsider."""

import contextlib
from collections.abc import Iterator

import docker
import pytest
from django.contrib.auth.models import User
from django.test import Client

from dashboard.models import AuditEvent, Team
from dashboard.policy import labels
from tests.harness.accounts import signed_in
from tests.harness.run import LABEL_KEY, RUN_ID, TEST_LABEL
from tests.pages import get_ok, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def networks_removed(engine: docker.DockerClient) -> Iterator[None]:
    yield
    for container in engine.containers.list(all=True, filters={"label": TEST_LABEL}):
        container.remove(force=True)
    for network in engine.networks.list(filters={"label": TEST_LABEL}):
        with contextlib.suppress(docker.errors.NotFound):
            network.remove()


def network_name(suffix: str) -> str:
    return f"net-{suffix}-{RUN_ID}"


def create(client: Client, team: Team | None, name: str, **fields: str):
    data = {"team": team.pk if team else "", "name": name, "labels": TEST_LABEL, **fields}
    return client.post("/engines/local/networks/new/", {**data, "create": "1"}, follow=True)


def own_network(client: Client, team: Team, suffix: str, engine: docker.DockerClient):
    assert create(client, team, network_name(suffix)).status_code == 200
    return engine.networks.get(network_name(suffix))


def test_member_creates_a_bridge_network_of_their_own(
    member_client: Client, engine: docker.DockerClient, team: Team, member: User
) -> None:
    name = network_name("own")
    response = create(member_client, team, name)
    text = text_of(response.content)
    assert f"docker network create --driver bridge --label {TEST_LABEL} {name}" in text
    assert f"docker network inspect {name}" in text
    network = engine.networks.get(name)
    assert network.attrs["Driver"] == "bridge"
    assert network.attrs["Labels"][labels.OWNER] == str(member.pk)
    assert network.attrs["Labels"][labels.TEAM] == str(team.pk)


def test_subnets_and_options_are_for_administrators(
    member_client: Client, admin_client: Client, engine: docker.DockerClient, team: Team
) -> None:
    name = network_name("subnet")
    refused = create(member_client, team, name, subnet="10.231.7.0/24")
    assert refused.status_code == 400
    assert "Choosing a subnet is for administrators." in text_of(refused.content)
    refused = create(member_client, team, name, options="com.docker.network.driver.mtu=1400")
    assert "Driver options are for administrators." in text_of(refused.content)
    assert engine.networks.list(names=[name]) == []
    rows = AuditEvent.objects.filter(action="network-create", target_name=name)
    assert sorted(rows.values_list("outcome", flat=True)) == ["refused", "refused"]

    bad = create(admin_client, None, name, subnet="10.231.7.1/24")
    assert "CIDR" in text_of(bad.content)
    mtu = "com.docker.network.driver.mtu=1400"
    create(admin_client, None, name, subnet="10.231.7.0/24", options=mtu)
    network = engine.networks.get(name)
    assert network.attrs["IPAM"]["Config"][0]["Subnet"] == "10.231.7.0/24"
    assert network.attrs["Options"]["com.docker.network.driver.mtu"] == "1400"


def test_the_search_finds_any_case_and_keeps_what_was_typed(
    member_client: Client, team: Team
) -> None:
    name = network_name("find")
    create(member_client, team, name)
    page = member_client.get("/engines/local/networks/", {"q": name.upper()})
    assert name in text_of(page.content)
    assert f'value="{name.upper()}"' in page.content.decode()


def test_connect_and_disconnect_an_own_container(
    member_client: Client, engine: docker.DockerClient, team: Team, make_container
) -> None:
    network = own_network(member_client, team, "join", engine)
    container = make_container("sleep 600", name="joiner", init=True)
    response = member_client.post(
        f"/engines/local/networks/{network.id}/actions/",
        {"action": "connect", "container": container.id},
        follow=True,
    )
    text = text_of(response.content)
    assert f"docker network connect {network.name} joiner-{RUN_ID}" in text
    network.reload()
    assert container.id in network.attrs["Containers"]
    assert f"joiner-{RUN_ID}" in text  # the attached list

    response = member_client.post(
        f"/engines/local/networks/{network.id}/actions/", {"action": "remove"}, follow=True
    )
    assert f"has containers attached: joiner-{RUN_ID}" in text_of(response.content)
    assert engine.networks.get(network.id)

    response = member_client.post(
        f"/engines/local/networks/{network.id}/actions/",
        {"action": "disconnect", "container": container.id},
        follow=True,
    )
    assert f"docker network disconnect {network.name} joiner-{RUN_ID}" in text_of(response.content)
    network.reload()
    assert container.id not in (network.attrs["Containers"] or {})


def test_nobody_else_connects_to_or_sees_a_network(
    member_client: Client,
    engine: docker.DockerClient,
    team: Team,
    other_member: User,
    outsider: User,
    make_container,
) -> None:
    network = own_network(member_client, team, "private", engine)
    theirs = make_container("sleep 600", name="theirs", init=True, owner=other_member)
    refused = member_client.post(
        f"/engines/local/networks/{network.id}/actions/",
        {"action": "connect", "container": theirs.id},
        follow=True,
    )
    assert "No such container" in text_of(refused.content)
    for user in (other_member, outsider):
        client = signed_in(user)
        assert network.name not in text_of(get_ok(client, "/engines/local/networks/"))
        assert client.get(f"/engines/local/networks/{network.id}/").status_code == 404
        client.post(
            f"/engines/local/networks/{network.id}/actions/",
            {"action": "connect", "container": theirs.id},
        )
        client.post(f"/engines/local/networks/{network.id}/actions/", {"action": "remove"})
    network.reload()
    assert not network.attrs["Containers"]

    mine = make_container("sleep 600", name="mine", init=True)
    bridge = engine.networks.get("bridge")
    assert "bridge" in text_of(get_ok(member_client, "/engines/local/networks/"))
    refused = member_client.post(
        f"/engines/local/networks/{bridge.id}/actions/",
        {"action": "connect", "container": mine.id},
        follow=True,
    )
    assert "You may only look at this network." in text_of(refused.content)
    bridge.reload()
    assert mine.id in bridge.attrs["Containers"]  # only by its creation, nothing added


def test_prune_removes_exactly_the_preview(
    member_client: Client, engine: docker.DockerClient, team: Team, make_container
) -> None:
    idle = own_network(member_client, team, "idle", engine)
    busy = own_network(member_client, team, "busy", engine)
    stopped = make_container("true", name="stopped", start=False)
    busy.connect(stopped)
    engine.networks.create(network_name("cli"), labels={LABEL_KEY: RUN_ID})

    preview = text_of(get_ok(member_client, "/engines/local/networks/prune/"))
    assert idle.name in preview
    assert busy.name not in preview and network_name("cli") not in preview
    done = member_client.post("/engines/local/networks/prune/", {"name": [idle.id]})
    assert "Removed 1 network." in text_of(done.content)
    remaining = {n.name for n in engine.networks.list(filters={"label": TEST_LABEL})}
    assert remaining == {busy.name, network_name("cli")}
