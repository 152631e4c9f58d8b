"""The policy gate: every forbidden option, through every way in, is refused before the engine
makes anything, with a field-level message and an audit row; what passes is hardened."""

import time
from pathlib import Path

import docker
import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.test import Client

from dashboard.engine import containers as engine_containers
from dashboard.models import AuditEvent, Team
from dashboard.policy import containers as container_policy
from dashboard.policy import sealed as checked
from images import pulls
from images.models import PullJob
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import text_of
from tests.terminal_client import TerminalClient

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent

# (case name, form fields, the field whose error says why, words of the message)
FORBIDDEN = [
    ("privileged", {"privileged": "on"}, "privileged", "--privileged is not allowed"),
    ("cap-add", {"cap_add": "SYS_ADMIN"}, "cap_add", "--cap-add is not allowed"),
    ("cap-drop", {"cap_drop": "CHOWN"}, "cap_drop", "--cap-drop is not allowed"),
    ("pid-host", {"pid": "host"}, "pid", "--pid is not allowed"),
    ("ipc-host", {"ipc": "host"}, "ipc", "--ipc is not allowed"),
    ("uts-host", {"uts": "host"}, "uts", "--uts is not allowed"),
    ("userns-host", {"userns": "host"}, "userns", "--userns is not allowed"),
    ("network-host", {"network": "host"}, "network", "is not allowed in team"),
    ("network-HOST", {"network": "HOST"}, "network", "is not allowed in team"),
    ("network-zwsp", {"network": "host\u200b"}, "network", "is not allowed in team"),
    ("network-container", {"network": "container:admins-box"}, "network", "is not allowed"),
    ("device", {"devices": "/dev/fuse"}, "devices", "--device is not allowed"),
    ("sysctl", {"sysctls": "net.ipv4.ip_forward=1"}, "sysctls", "--sysctl is not allowed"),
    ("security-opt", {"security_opt": "seccomp=unconfined"}, "security_opt", "--security-opt"),
    ("host-path", {"mounts": "/etc:/host"}, "mounts", "Host paths are for administrators"),
    ("double-slash", {"mounts": "//etc:/host"}, "mounts", "Host paths are for administrators"),
    ("dot-segment", {"mounts": "/./etc:/host"}, "mounts", "Host paths are for administrators"),
    ("dot-dot", {"mounts": "../../etc:/host"}, "mounts", "Host paths are for administrators"),
    ("root", {"mounts": "/:/host"}, "mounts", "Host paths are for administrators"),
    ("label-owner", {"labels": "dockboard.owner=1"}, "labels", "set by Dockboard alone"),
    ("label-case", {"labels": "Dockboard.Team=1"}, "labels", "set by Dockboard alone"),
    ("memory", {"memory": "1g"}, "memory", "1 GiB asked; 512 MiB is the most"),
    ("cpus", {"cpus": "2"}, "cpus", "2 asked; 1 is the most"),
    ("ports", {"ports": "127.0.0.1:8080:80"}, "ports", "may not publish ports"),
]


def created_named(engine: docker.DockerClient, name: str) -> list:
    return engine.containers.list(all=True, filters={"name": f"^/{name}$"})


def create_form(busybox: str, name: str, **fields: str) -> dict[str, str]:
    return {"image": busybox, "name": name, "command": "sleep 600",
            "labels": f"{LABEL_KEY}={RUN_ID}", "create": "1", **fields}  # fmt: skip


def field_error(response, field: str) -> str:
    html = response.content.decode()
    if f'id="id_{field}_error"' not in html:
        return text_of(html)
    return text_of(html.split(f'id="id_{field}_error"', 1)[1].split("</div>", 1)[0])


@pytest.mark.parametrize(
    ("case", "fields", "field", "words"), FORBIDDEN, ids=[f[0] for f in FORBIDDEN]
)
def test_the_form_refuses_and_the_engine_makes_nothing(
    member_client: Client, engine, busybox: str, member: User, case, fields, field, words
) -> None:
    name = f"gate-{case}-{RUN_ID}"
    response = member_client.post(
        "/engines/local/containers/new/", create_form(busybox, name, **fields)
    )
    assert response.status_code == 400
    assert words in field_error(response, field)
    assert created_named(engine, name) == []
    row = AuditEvent.objects.get(actor=member, action="create", target_name=name)
    assert row.outcome == "refused" and words in row.reason


def test_an_image_off_the_allow_list_is_refused(member_client: Client, engine, member) -> None:
    name = f"gate-image-{RUN_ID}"
    response = member_client.post("/engines/local/containers/new/", create_form("busybox", name))
    assert response.status_code == 400
    assert "busybox is not on the list of images team" in field_error(response, "image")
    assert created_named(engine, name) == [] and not PullJob.objects.exists()


def test_someone_elses_volume_is_refused(
    member_client: Client, engine, busybox: str, member: User
) -> None:
    volume = engine.volumes.create(
        f"admins-{RUN_ID}", driver_opts={"type": "none", "o": "bind", "device": "/"},
        labels={LABEL_KEY: RUN_ID},
    )  # fmt: skip
    try:
        name = f"gate-volume-{RUN_ID}"
        fields = create_form(busybox, name, mounts=f"{volume.name}:/host")
        response = member_client.post("/engines/local/containers/new/", fields)
        assert response.status_code == 400
        assert f"Volume {volume.name} is not yours" in field_error(response, "mounts")
        assert created_named(engine, name) == []
    finally:
        volume.remove(force=True)


@pytest.mark.parametrize(
    "extra",
    [{"HostConfig": '{"Privileged": true}'}, {"binds": "/:/host"}, {"Privileged": "true"},
     {"cap-add": "ALL"}],
)  # fmt: skip
def test_a_crafted_post_with_unknown_fields_is_refused(
    member_client: Client, engine, busybox: str, extra
) -> None:
    name = f"gate-crafted-{RUN_ID}"
    response = member_client.post(
        "/engines/local/containers/new/", {**create_form(busybox, name), **extra}
    )
    assert response.status_code == 400
    assert f"Unknown fields: {next(iter(extra))}" in text_of(response.content)
    assert created_named(engine, name) == []


def test_what_passes_is_hardened_and_labelled(
    member_client: Client, engine, busybox: str, member: User, team: Team
) -> None:
    name = f"gate-ok-{RUN_ID}"
    response = member_client.post(
        "/engines/local/containers/new/", create_form(busybox, name, memory="64m")
    )
    assert response.status_code == 302
    host = engine.containers.get(name).attrs["HostConfig"]
    labels = engine.containers.get(name).labels
    assert labels["dockboard.owner"] == str(member.pk) and labels["dockboard.team"] == str(team.pk)
    assert host["Privileged"] is False and host["CapDrop"] == ["ALL"]
    assert set(host["CapAdd"]) == set(container_policy.DEFAULT_CAPABILITIES)
    assert host["SecurityOpt"] == ["no-new-privileges"] and host["PidsLimit"] == 256
    assert host["Memory"] == host["MemorySwap"] == 64 * 1024**2
    assert host["NanoCpus"] == 10**9  # none asked: the team's default
    assert host["LogConfig"] == {
        "Type": "json-file",
        "Config": {"max-file": "3", "max-size": "10m"},
    }
    assert AuditEvent.objects.get(target_name=name, action="create").outcome == "ok"
    engine.containers.get(name).remove(force=True)


@pytest.mark.django_db(transaction=True)
def test_run_after_pull_passes_the_gate_again(
    start_worker, member: User, busybox: str, engine
) -> None:
    """The worker creates what a run asked for once its image is here: every forbidden option
    in the stored request is refused there too (the form's first check is not trusted)."""
    start_worker()
    jobs = {}
    for case, fields, _field, words in FORBIDDEN:
        name = f"gate-pulled-{case}-{RUN_ID}"
        form = {k: v for k, v in create_form(busybox, name, **fields).items() if k != "create"}
        follow_up = {"kind": "container", "form": form, "run": True, "command": "docker run …"}
        job = pulls.request_pull(member, pulls.parse_reference(busybox), follow_up=follow_up)
        jobs[job.pk] = (name, words)
    deadline = time.monotonic() + 60
    while PullJob.objects.filter(pk__in=jobs).exclude(follow_up_error="").count() < len(jobs):
        assert time.monotonic() < deadline, list(PullJob.objects.values("state", "error"))
        time.sleep(0.2)
    for job in PullJob.objects.filter(pk__in=jobs):
        name, words = jobs[job.pk]
        assert job.state == "succeeded" and words in job.follow_up_error and not job.next_url
        assert created_named(engine, name) == []


def test_the_gateway_takes_only_what_the_gate_made(busybox: str) -> None:
    with pytest.raises(TypeError):
        engine_containers.create_container({"image": busybox, "host_config": {"Privileged": True}})
    with pytest.raises(TypeError):
        checked.CheckedCreate({"image": busybox}, owner_id=1, team_id=None, seal=object())
    with pytest.raises(TypeError):
        engine_containers.create_exec({"container": "x", "cmd": ["sh"]})


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_exec_passes_the_gate(make_container, cookie, member: User) -> None:
    """The exec route: a privileged exec is refused for a member, before the engine makes an
    exec; a plain one is let through and audited."""
    container = make_container("sleep 600", name="exec-gate", init=True)
    refused = TerminalClient(f"/ws/containers/{container.id}/exec/?privileged=1", cookie)
    assert await refused.connect()
    assert (await refused.event("error"))["message"] == "Privileged exec is not allowed."
    assert not container.client.api.inspect_container(container.id)["ExecIDs"]
    rows = AuditEvent.objects.filter(action="exec", outcome="refused", target_id=container.id)
    assert await database_sync_to_async(rows.count)() == 1

    allowed = TerminalClient(f"/ws/containers/{container.id}/exec/", cookie)
    assert await allowed.connect()
    assert (await allowed.event("hello"))["stdin"] is True
    assert len(container.client.api.inspect_container(container.id)["ExecIDs"]) == 1
    opened = AuditEvent.objects.filter(action="exec", outcome="ok", actor=member)
    assert await database_sync_to_async(opened.count)() == 1
    await allowed.close()
