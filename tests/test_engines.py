"""Several engines: a real second dockerd beside the first, added by command and by page, each
with its health and overview; an engine that is down says so and breaks no other page."""

import stat
from pathlib import Path

import docker
import pytest
from channels.db import database_sync_to_async
from django.core.management import CommandError, call_command
from django.test import Client

from dashboard.engine import current as engine
from dashboard.engine import system as engine_system
from dashboard.models import AuditEvent
from dashboard.policy.ownership import Kind
from tests.harness import owned
from tests.harness.accounts import session_cookie, signed_in
from tests.harness.run import TEST_LABEL
from tests.pages import text_of
from tests.terminal_client import TerminalClient

pytestmark = pytest.mark.django_db


def test_the_command_adds_lists_and_removes_engines(second: str, capsys) -> None:
    call_command("engine", "add", "second", second)
    call_command("engine", "list")
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].startswith("local\t") and "up (Docker " in listed[1]
    assert listed[2].startswith(f"second\t{second}\tup (Docker ")
    with pytest.raises(CommandError, match="exists already"):
        call_command("engine", "add", "second", second)
    call_command("engine", "remove", "second")
    assert AuditEvent.objects.filter(action__in=["engine-add", "engine-remove"]).count() == 2


def test_each_engine_answers_for_itself(admin_client: Client, second: str) -> None:
    response = admin_client.post("/engines/", {"name": "second", "address": second})
    assert response.status_code == 302
    text = text_of(admin_client.get("/engines/").content)
    assert text.count("up, Docker ") == 2
    ours = text_of(admin_client.get("/engines/second/").content)
    first = text_of(admin_client.get("/engines/local/").content)
    second_root = docker.DockerClient(base_url=second).info()["DockerRootDir"]
    assert "Engine second" in ours and second_root in ours and second in ours
    assert second_root not in first and "Engine second" not in first
    with engine.on("second"):
        assert engine_system.info()["DockerRootDir"] == second_root
    assert engine_system.info()["DockerRootDir"] != second_root  # the block is over: local again
    assert admin_client.post("/engines/", {"remove": "second"}).status_code == 302
    assert b'data-engine="second"' not in admin_client.get("/engines/").content


def test_an_engine_that_is_down_breaks_no_other_page(admin_client: Client, tmp_path: Path) -> None:
    dead = f"unix://{tmp_path}/nothing.sock"
    call_command("engine", "add", "gone", dead)
    listed = admin_client.get("/engines/")
    assert listed.status_code == 200
    assert "engine gone is unreachable" in text_of(listed.content)
    page = admin_client.get("/engines/gone/containers/")
    assert page.status_code == 503
    assert f"Engine gone at {dead} is unreachable" in text_of(page.content)
    assert admin_client.get("/engines/local/").status_code == 200
    assert admin_client.get("/engines/local/containers/").status_code == 200


def test_tls_files_are_kept_private_and_plain_tcp_is_loopback_only(
    tmp_path: Path, settings
) -> None:
    with pytest.raises(CommandError, match="needs a TLS client certificate"):
        call_command("engine", "add", "far", "tcp://192.0.2.10:2376")
    pems = {}
    for kind in ("ca", "cert", "key"):
        pems[kind] = tmp_path / f"{kind}.pem"
        pems[kind].write_text(f"-----BEGIN {kind}-----\n")
    call_command(
        "engine",
        "add",
        "far",
        "tcp://192.0.2.10:2376",
        "--tls-ca",
        str(pems["ca"]),
        "--tls-cert",
        str(pems["cert"]),
        "--tls-key",
        str(pems["key"]),
    )
    kept = Path(settings.DATA_DIR) / "engines" / "far"
    for kind in ("ca", "cert", "key"):
        mode = stat.S_IMODE((kept / f"{kind}.pem").stat().st_mode)
        assert mode == 0o600 and (kept / f"{kind}.pem").read_text() == f"-----BEGIN {kind}-----\n"
    call_command("engine", "remove", "far")
    assert not kept.exists()
    with pytest.raises(CommandError, match="Name an engine with letters"):
        call_command("engine", "add", "a/b", "unix:///x.sock")
    with pytest.raises(CommandError, match="Use unix:///path"):
        call_command("engine", "add", "odd", "http://example.org")


def test_only_administrators_manage_engines(member, outsider) -> None:
    for user in (member, outsider):
        assert signed_in(user).get("/engines/").status_code == 403
    assert (
        signed_in(member).post("/engines/", {"name": "x", "address": "unix:///x"}).status_code
        == 403
    )
    assert signed_in(member).post("/engines/", {"remove": "second"}).status_code == 403
    refusals = AuditEvent.objects.filter(outcome="refused", actor=member)
    assert sorted(refusals.values_list("action", "target_name")) == [
        ("engine-add", "x"),
        ("engine-remove", "second"),
    ]


def test_containers_are_addressed_on_their_engine(
    on_second: docker.DockerClient, busybox: str, member, team, admin_client: Client
) -> None:
    team.engines = "local\nsecond"
    team.save()
    labels = {TEST_LABEL.split("=")[0]: TEST_LABEL.split("=")[1], **owned.labels_for(member, team)}
    there = on_second.containers.run(busybox, "sleep 600", detach=True, labels=labels, init=True)
    owned.admitted(Kind.CONTAINER, there.id, member, team, on="second")
    member_client = signed_in(member)
    listed = text_of(member_client.get("/engines/second/containers/").content)
    assert there.name in listed and "engine second" in listed
    assert there.name not in text_of(member_client.get("/engines/local/containers/").content)
    assert (
        member_client.get(f"/engines/local/containers/{there.id}/").status_code == 404
    )  # not on local
    page = member_client.get(f"/engines/second/containers/{there.id}/").content.decode()
    assert f'href="/engines/second/containers/{there.id}/terminal/"' in page

    response = member_client.post(
        f"/engines/second/containers/{there.id}/actions/", {"action": "stop"}, follow=True
    )
    assert f"docker stop {there.name}" in text_of(response.content)
    there.reload()
    assert there.status == "exited"

    team.engines = "local"  # the team no longer uses the second engine: nothing to see there
    team.save()
    assert there.name not in text_of(signed_in(member).get("/engines/second/containers/").content)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_terminal_on_the_second_engine(on_second: docker.DockerClient, busybox: str, admin):
    container = on_second.containers.run(
        busybox, tty=True, stdin_open=True, detach=True, labels=dict([TEST_LABEL.split("=")])
    )
    cookie = await database_sync_to_async(session_cookie)(admin)
    client = TerminalClient(f"/engines/second/ws/containers/{container.id}/attach/", cookie)
    assert await client.connect()
    await client.event("hello")
    await client.send(b"hostname\n")
    await client.read_until(container.id[:12].encode() + b"\r\n")
    await client.close()
    local_path = TerminalClient(f"/ws/containers/{container.id}/attach/", cookie)
    assert not await local_path.connect()  # the local engine has no such container


@pytest.mark.django_db(transaction=True)
def test_every_engines_containers_in_one_list(
    on_second: docker.DockerClient,
    busybox: str,
    make_container,
    member,
    team,
    tmp_path: Path,
    admin_client: Client,
) -> None:
    team.engines = "local\nsecond"
    team.save()
    mine_here = make_container("sleep 600", name="here", init=True)
    labels = {**dict([TEST_LABEL.split("=")]), **owned.labels_for(member, team)}
    mine_there = on_second.containers.create(busybox, "true", labels=labels, name="there-x")
    owned.admitted(Kind.CONTAINER, mine_there.id, member, team, on="second")
    call_command("engine", "add", "gone", f"unix://{tmp_path}/nothing.sock")
    admin_page = admin_client.get("/engines/all/containers/").content.decode()
    for engine_name, container in (("local", mine_here), ("second", mine_there)):
        assert f'data-engine="{engine_name}" data-id="{container.id}"' in admin_page
    assert 'data-down="gone"' in admin_page and "engine gone is unreachable" in text_of(admin_page)
    assert f'href="/engines/second/containers/{mine_there.id}/"' in admin_page
    members = text_of(signed_in(member).get("/engines/all/containers/").content)
    assert mine_here.name in members and mine_there.name in members
