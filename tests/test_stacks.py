"""Stacks on the real engine: what Dockboard makes of a compose file matches what docker-compose
1.29 (Debian's, the oracle) makes of the same file; the gate refuses a member's stack whole and
leaves nothing behind; a redeploy previews its changes; down removes what up made; the file's
errors name their line; owner, viewer, other member, outsider and administrator."""

import contextlib
import os
import re
import subprocess
import time
from pathlib import Path

import docker
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from dashboard.models import AuditEvent, Team
from stacks.models import Stack
from tests.harness.accounts import signed_in
from tests.harness.images import build_busybox_image, push
from tests.harness.run import LABEL_KEY, RUN_ID, TEST_LABEL
from tests.pages import get_ok, text_of

pytestmark = pytest.mark.django_db(transaction=True)
STACKS = "/engines/local/stacks/"
PORT = 38000 + int(RUN_ID[:4], 16) % 1000  # a host port of this run's, in the team's range
PROJECT = "com.docker.compose.project"


def compose(image: str, web_command: str = "httpd -f -p 8080") -> str:
    return f"""
services:
  web:
    image: {image}
    command: {web_command}
    working_dir: /tmp
    environment: ["ROLE=web", "GREETING=${{GREETING:-hello}}"]
    ports: ["{PORT}:8080"]
    depends_on: [cache]
    networks: [default, back]
    labels: {{"{LABEL_KEY}": "{RUN_ID}"}}
  cache:
    image: {image}
    command: ["sh", "-c", "echo cache up; exec sleep 600"]
    environment:
      ROLE: cache
      SECRET: "${{DOCKBOARD_SECRET_KEY}}"
    volumes: ["data:/data", "/scratch"]
    restart: unless-stopped
    stop_grace_period: 1s
    labels: {{"{LABEL_KEY}": "{RUN_ID}"}}
networks:
  back:
    labels: {{"{LABEL_KEY}": "{RUN_ID}"}}
volumes:
  data:
    labels: {{"{LABEL_KEY}": "{RUN_ID}"}}
"""


@pytest.fixture
def project_name(engine: docker.DockerClient):
    """A stack name of this test's; its networks and volumes removed after."""
    names = []

    def named(suffix: str) -> str:
        names.append(f"t{RUN_ID}{suffix}")
        return names[-1]

    yield named
    for name in names:
        for container in engine.containers.list(all=True, filters={"label": f"{PROJECT}={name}"}):
            container.remove(force=True, v=True)
        for network in engine.networks.list(filters={"label": f"{PROJECT}={name}"}):
            with contextlib.suppress(docker.errors.NotFound):
                network.remove()
        for volume in engine.volumes.list(filters={"label": f"{PROJECT}={name}"}):
            with contextlib.suppress(docker.errors.NotFound):
                volume.remove(force=True)


@pytest.fixture
def ports_team(team: Team) -> Team:
    team.port_range_start, team.port_range_end = 38000, 38999
    team.save()
    return team


def deploy(client, name: str, text: str, env: str = "", team: Team | None = None):
    data = {"name": name, "compose": text, "env": env, "deploy": ""}
    if team is not None:
        data["team"] = str(team.pk)
    return client.post(STACKS + "new/", data)


def made(engine: docker.DockerClient, name: str) -> dict[str, list]:
    label = {"label": f"{PROJECT}={name}"}
    return {
        "containers": engine.containers.list(all=True, filters=label),
        "networks": engine.networks.list(filters=label),
        "volumes": engine.volumes.list(filters=label),
    }


def essentials(engine: docker.DockerClient, name: str) -> dict:
    """What a user of the stack sees of each service, the project's name replaced by P."""

    def plain(text: str) -> str:
        return text.replace(name, "P")

    found = {}
    for container in made(engine, name)["containers"]:
        attrs = container.attrs
        labels = attrs["Config"]["Labels"]
        service = labels["com.docker.compose.service"]
        networks = attrs["NetworkSettings"]["Networks"]
        found[service] = {
            "name": plain(attrs["Name"]),
            "image": attrs["Config"]["Image"],
            "cmd": attrs["Config"]["Cmd"],
            "workdir": attrs["Config"]["WorkingDir"],
            "env": sorted(e for e in attrs["Config"]["Env"] if not e.startswith("PATH=")),
            "ports": attrs["HostConfig"]["PortBindings"] or {},
            "restart": attrs["HostConfig"]["RestartPolicy"]["Name"] or "no",
            "mounts": sorted(
                (m["Type"], _volume(m, name), m["Destination"], m["RW"]) for m in attrs["Mounts"]
            ),
            "networks": sorted(plain(n) for n in networks),
            "aliases": sorted(
                plain(n) for n, s in networks.items() if service in (s.get("Aliases") or [])
            ),
            "labels": {
                k: plain(v)
                for k, v in labels.items()
                if k
                in (
                    PROJECT,
                    "com.docker.compose.service",
                    "com.docker.compose.container-number",
                    "com.docker.compose.oneoff",
                    LABEL_KEY,
                )
            },
            "started": attrs["State"]["StartedAt"],
        }
    return found


def _volume(mount: dict, name: str) -> str:
    volume = mount.get("Name") or ""
    return "anonymous" if re.fullmatch(r"[0-9a-f]{64}", volume) else volume.replace(name, "P")


def objects(engine: docker.DockerClient, name: str) -> dict:
    found = made(engine, name)
    return {
        "networks": sorted(
            (n.name.replace(name, "P"), n.attrs["Labels"].get("com.docker.compose.network"))
            for n in found["networks"]
        ),
        "volumes": sorted(
            (v.name.replace(name, "P"), v.attrs["Labels"].get("com.docker.compose.volume"))
            for v in found["volumes"]
        ),
    }


def test_a_stack_is_made_as_docker_compose_makes_it(
    engine: docker.DockerClient, busybox: str, admin: User, project_name, tmp_path: Path
) -> None:
    text, env = compose(busybox), "GREETING=bonjour\n"
    oracle = project_name("o")
    (tmp_path / "compose.yaml").write_text(text)
    (tmp_path / ".env").write_text(env)
    subprocess.run(
        ["docker-compose", "-p", oracle, "-f", str(tmp_path / "compose.yaml"), "up", "-d"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={"PATH": os.environ["PATH"], "DOCKBOARD_SECRET_KEY": "not-for-stacks"},
    )
    expected, expected_objects = essentials(engine, oracle), objects(engine, oracle)
    subprocess.run(
        ["docker-compose", "-p", oracle, "-f", str(tmp_path / "compose.yaml"), "down", "-v"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )

    mine = project_name("d")
    response = deploy(signed_in(admin), mine, text, env)
    assert response.status_code == 302, text_of(response.content)[:2000]
    got = essentials(engine, mine)

    # The oracle took DOCKBOARD_SECRET_KEY from its shell; a stack never reads the server's.
    expected["cache"]["env"] = [e.replace("not-for-stacks", "") for e in expected["cache"]["env"]]
    for found in (expected, got):
        assert found["cache"].pop("started") < found["web"].pop("started")  # depends_on
    differences = {
        service: {
            k: (v, expected[service].get(k)) for k, v in d.items() if v != expected[service].get(k)
        }
        for service, d in got.items()
    }
    assert got == expected, differences
    assert objects(engine, mine) == expected_objects
    assert "GREETING=bonjour" in got["web"]["env"]


def test_a_member_stack_the_gate_refuses_leaves_nothing(
    engine: docker.DockerClient, busybox: str, member: User, ports_team: Team, project_name
) -> None:
    client = signed_in(member)
    refused = {
        "privileged": "privileged: true",
        "host network": "network_mode: host",
        "bind mount": "volumes: ['/etc:/host-etc']",
        "host pid": "pid: host",
    }
    for case, line in refused.items():
        name = project_name(case.replace(" ", "-"))
        text = f"""
services:
  first:
    image: {busybox}
    command: ["sleep", "600"]
    volumes: ["data:/data"]
    labels: {{"{LABEL_KEY}": "{RUN_ID}"}}
  second:
    image: {busybox}
    depends_on: [first]
    labels: {{"{LABEL_KEY}": "{RUN_ID}"}}
    {line}
volumes:
  data: {{}}
"""
        response = deploy(client, name, text, team=ports_team)
        assert response.status_code == 400, case
        page = text_of(response.content)
        assert "Service second:" in page and "Nothing was made." in page, (case, page[:1500])
        assert made(engine, name) == {"containers": [], "networks": [], "volumes": []}, case
        assert not Stack.objects.filter(name=name).exists()
        assert "first" in text_of(response.content)  # the user's file is still in the form
    assert AuditEvent.objects.filter(actor=member, action="create", outcome="refused").count() >= 4


def test_errors_name_their_line_and_keep_the_file(
    busybox: str, member: User, ports_team: Team
) -> None:
    client = signed_in(member)
    text = f"services:\n  web:\n    image: {busybox}\n    portz: ['80']\n"
    response = deploy(client, f"t{RUN_ID}bad", text, team=ports_team)
    assert response.status_code == 400
    assert "Line 4: 'portz' is not a compose key of services.web." in text_of(response.content)
    assert "portz" in response.content.decode()  # the textarea keeps what was typed
    response = deploy(
        client, f"t{RUN_ID}build", "services:\n  web:\n    build: .\n", team=ports_team
    )
    assert "Line 3: build is not supported in Dockboard's stacks." in text_of(response.content)
    response = deploy(client, "Bad Name", text.replace("portz", "ports"), team=ports_team)
    assert "docker-compose -p" in text_of(response.content)


def test_an_uploaded_file_deploys(
    engine: docker.DockerClient, busybox: str, member: User, ports_team: Team, project_name
) -> None:
    name = project_name("up")
    upload = SimpleUploadedFile("compose.yaml", compose(busybox).encode())
    response = signed_in(member).post(
        STACKS + "new/",
        {"name": name, "compose": "", "compose_file": upload, "team": ports_team.pk, "deploy": ""},
    )
    assert response.status_code == 302, text_of(response.content)[:2000]
    assert {c.labels["com.docker.compose.service"] for c in made(engine, name)["containers"]} == {
        "web",
        "cache",
    }


def _wait_running(engine: docker.DockerClient, name: str, count: int) -> list:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = [c for c in made(engine, name)["containers"] if c.status == "running"]
        if len(found) == count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"{name}: not {count} running")


def test_owner_viewer_other_member_outsider_and_administrator(
    engine: docker.DockerClient,
    busybox: str,
    member: User,
    other_member: User,
    viewer: User,
    instructor: User,
    outsider: User,
    admin: User,
    ports_team: Team,
    project_name,
) -> None:
    name = project_name("acl")
    owner = signed_in(member)
    assert deploy(owner, name, compose(busybox), team=ports_team).status_code == 302
    detail = f"{STACKS}{name}/"
    page = text_of(get_ok(owner, detail))
    assert "web" in page and "cache" in page and "Remove stack" in page
    assert name in text_of(get_ok(owner, STACKS))

    seen = text_of(get_ok(signed_in(viewer), detail))
    assert "cache" in seen and "Remove stack" not in seen
    stop = {"action": "stop"}
    assert signed_in(viewer).post(detail + "actions/", stop).status_code == 403
    for stranger in (other_member, outsider):
        client = signed_in(stranger)
        assert client.get(detail).status_code == 404
        assert client.post(detail + "actions/", {"action": "down"}).status_code == 404
        assert name not in text_of(client.get(STACKS).content)
    assert len(_wait_running(engine, name, 2)) == 2

    assert signed_in(instructor).post(detail + "actions/", stop).status_code == 302
    assert [c for c in made(engine, name)["containers"] if c.status == "running"] == []
    assert signed_in(admin).post(detail + "actions/", {"action": "up"}).status_code == 302
    _wait_running(engine, name, 2)

    logs = text_of(get_ok(owner, detail + "logs/"))
    assert "cache | " in logs and "cache up" in logs


def test_a_redeploy_previews_then_recreates_only_what_changed(
    engine: docker.DockerClient, busybox: str, member: User, ports_team: Team, project_name
) -> None:
    name = project_name("re")
    client = signed_in(member)
    assert deploy(client, name, compose(busybox), team=ports_team).status_code == 302
    before = {
        c.labels["com.docker.compose.service"]: c.id for c in made(engine, name)["containers"]
    }
    changed = compose(busybox, web_command="httpd -f -p 8081")
    url = f"{STACKS}{name}/redeploy/"
    preview = client.post(url, {"compose": changed, "env": "", "preview": ""})
    assert preview.status_code == 200
    rows = text_of(preview.content)
    assert "web recreate changed: command" in rows and "cache keep unchanged" in rows
    assert {c.id for c in made(engine, name)["containers"]} == set(before.values())  # nothing yet

    assert client.post(url, {"compose": changed, "env": "", "deploy": ""}).status_code == 302
    after = {c.labels["com.docker.compose.service"]: c for c in made(engine, name)["containers"]}
    assert after["cache"].id == before["cache"]
    assert after["web"].id != before["web"]
    assert after["web"].attrs["Config"]["Cmd"] == ["httpd", "-f", "-p", "8081"]
    assert "8081" in Stack.objects.get(name=name).compose


def test_down_removes_containers_and_networks_and_keeps_volumes_unless_asked(
    engine: docker.DockerClient, busybox: str, member: User, ports_team: Team, project_name
) -> None:
    client = signed_in(member)
    for name, volumes in ((project_name("dn"), False), (project_name("dv"), True)):
        assert deploy(client, name, compose(busybox), team=ports_team).status_code == 302
        # The CLI (or another installation) labels a container of its own with the project.
        intruder = engine.containers.create(
            busybox, ["sleep", "600"], name=f"{name}_intruder_1",
            labels={PROJECT: name, "com.docker.compose.service": "intruder", LABEL_KEY: RUN_ID},
        )  # fmt: skip
        assert "intruder" not in text_of(get_ok(client, f"{STACKS}{name}/"))
        data = {"action": "down", **({"volumes": "on"} if volumes else {})}
        assert client.post(f"{STACKS}{name}/actions/", data).status_code == 302
        left = made(engine, name)
        assert [c.id for c in left["containers"]] == [intruder.id]  # not the stack's: left
        intruder.remove(force=True)
        assert left["networks"] == []
        assert [v.name for v in left["volumes"]] == ([] if volumes else [f"{name}_data"])
        assert not Stack.objects.filter(name=name).exists()
        assert AuditEvent.objects.filter(action="stack-down", target_name=name).exists()


def test_compose_projects_made_by_the_cli_are_shown_to_administrators_only(
    engine: docker.DockerClient, busybox: str, admin: User, member: User, project_name
) -> None:
    name = project_name("cli")
    engine.containers.run(
        busybox,
        ["sleep", "600"],
        detach=True,
        name=f"{name}_tool_1",
        labels={PROJECT: name, "com.docker.compose.service": "tool", LABEL_KEY: RUN_ID},
    )
    assert f"{name} tool" in text_of(get_ok(signed_in(admin), STACKS))
    assert name not in text_of(get_ok(signed_in(member), STACKS))
    assert signed_in(member).get(f"{STACKS}{name}/").status_code == 404
    assert engine.containers.list(filters={"label": TEST_LABEL})  # untouched


def test_the_command_line_deploys_with_an_override_and_removes(
    engine: docker.DockerClient,
    busybox: str,
    member: User,
    ports_team: Team,
    project_name,
    tmp_path: Path,
) -> None:
    name = project_name("cmd")
    (tmp_path / "compose.yaml").write_text(compose(busybox))
    (tmp_path / "override.yaml").write_text("services:\n  web:\n    environment: [ROLE=front]\n")
    call_command(
        "stack", "up", "--owner", member.username, "--team", ports_team.name, name,
        str(tmp_path / "compose.yaml"), str(tmp_path / "override.yaml"),
    )  # fmt: skip
    web = engine.containers.get(f"{name}_web_1")
    assert "ROLE=front" in web.attrs["Config"]["Env"]
    assert Stack.objects.get(name=name).owner == member
    with pytest.raises(CommandError, match="not allowed"):
        (tmp_path / "bad.yaml").write_text("services:\n  web:\n    privileged: true\n")
        call_command(
            "stack", "up", "--owner", member.username, name,
            str(tmp_path / "compose.yaml"), str(tmp_path / "bad.yaml"),
        )  # fmt: skip
    kept = engine.containers.get(f"{name}_web_1")  # a refused redeploy changes nothing
    assert (kept.id, kept.status) == (web.id, "running")
    call_command("stack", "down", name)
    assert made(engine, name)["containers"] == []


def test_pull_then_up_recreates_the_services_whose_image_changed(
    engine: docker.DockerClient,
    busybox: str,
    registry: str,
    member: User,
    ports_team: Team,
    project_name,
    start_worker,
) -> None:
    reference = f"{registry}/dockboard-test/stacked:{RUN_ID}"
    first = build_busybox_image(engine, reference, {LABEL_KEY: RUN_ID, "edition": "1"})
    push(engine, reference)
    name = project_name("pull")
    client = signed_in(member)
    text = compose(busybox).replace(
        f"  cache:\n    image: {busybox}", f"  cache:\n    image: {reference}"
    )
    assert deploy(client, name, text, team=ports_team).status_code == 302
    before = {
        c.labels["com.docker.compose.service"]: c.id for c in made(engine, name)["containers"]
    }

    # A new image under the same tag, pushed from elsewhere; this engine still has the first.
    build_busybox_image(engine, reference, {LABEL_KEY: RUN_ID, "edition": "2"})
    push(engine, reference)
    engine.images.get(first).tag(reference)
    start_worker()
    pulled = client.post(f"{STACKS}{name}/actions/", {"action": "pull"}, follow=True)
    assert f"Pulling {busybox}, {reference}" in text_of(pulled.content) or (
        f"Pulling {reference}, {busybox}" in text_of(pulled.content)
    )
    deadline = time.monotonic() + 60
    while engine.images.get(reference).id == first:
        assert time.monotonic() < deadline, "the pull did not bring the new image"
        time.sleep(0.3)

    preview = client.post(f"{STACKS}{name}/redeploy/", {"compose": text, "env": "", "preview": ""})
    assert "cache recreate its image was updated" in text_of(preview.content)
    assert "web keep unchanged" in text_of(preview.content)
    assert client.post(f"{STACKS}{name}/actions/", {"action": "up"}).status_code == 302
    after = {c.labels["com.docker.compose.service"]: c for c in made(engine, name)["containers"]}
    assert after["web"].id == before["web"]
    assert after["cache"].id != before["cache"]
    assert after["cache"].image.id == engine.images.get(reference).id
