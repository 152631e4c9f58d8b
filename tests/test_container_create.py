"""`docker create` / `docker run` from the form: the engine gets exactly what the form says."""

import shlex
import subprocess
import time
import urllib.request

import docker
import pytest
from django.contrib.auth.models import User
from django.test import Client

from containers.spec import parse_memory, parse_ports
from dashboard.policy.ownership import installation_id
from tests.harness.registry import free_port
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import text_of

pytestmark = pytest.mark.django_db
LABEL_LINE = f"{LABEL_KEY}={RUN_ID}"


def form(busybox: str, **fields) -> dict:
    return {"image": busybox, "interactive": "on", "tty": "on", "labels": LABEL_LINE, **fields}


def field_error(response, field: str) -> str:
    html = response.content.decode()
    return text_of(html.split(f'id="id_{field}_error"', 1)[1].split("</div>", 1)[0])


def created(engine: docker.DockerClient, name: str):
    return engine.containers.get(f"{name}-{RUN_ID}")


@pytest.fixture
def cleanup(engine: docker.DockerClient):
    yield
    for container in engine.containers.list(all=True, filters={"label": LABEL_LINE}):
        container.remove(force=True)


def test_create_sets_every_field(
    admin_client: Client, engine: docker.DockerClient, busybox: str, cleanup
) -> None:
    fields = form(
        busybox,
        name=f"full-{RUN_ID}",
        command="sh -c 'echo hi; sleep 600'",
        env="GREETING=안녕\nMODE=test",
        ports=f"127.0.0.1:{free_port()}:80\n53/udp",
        mounts=f"dockboard-test-{RUN_ID}:/data:ro",
        workdir="/data",
        user="1000",
        hostname="lesson",
        restart="on-failure:3",
        memory="64m",
        cpus="0.5",
        network="bridge",
    )
    response = admin_client.post(
        "/engines/local/containers/new/", {**fields, "create": "1"}, follow=True
    )
    container = created(engine, "full")
    text = text_of(response.content)
    assert f"Created {container.id} ({container.id[:12]})" in text
    attrs = container.attrs
    assert attrs["State"]["Status"] == "created"
    assert attrs["Config"]["Cmd"] == ["sh", "-c", "echo hi; sleep 600"]
    assert {"GREETING=안녕", "MODE=test"} <= set(attrs["Config"]["Env"])
    assert attrs["Config"]["OpenStdin"] and attrs["Config"]["Tty"]
    assert attrs["Config"]["WorkingDir"] == "/data" and attrs["Config"]["User"] == "1000"
    assert attrs["Config"]["Hostname"] == "lesson"
    assert attrs["HostConfig"]["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 3}
    assert attrs["HostConfig"]["Memory"] == 64 * 1024 * 1024
    assert attrs["HostConfig"]["NanoCpus"] == 500_000_000
    assert set(attrs["HostConfig"]["PortBindings"]) == {"80/tcp", "53/udp"}
    assert attrs["HostConfig"]["Binds"] == [f"dockboard-test-{RUN_ID}:/data:ro"]
    engine.volumes.get(f"dockboard-test-{RUN_ID}")  # made by the engine for the named volume
    container.remove(force=True)
    engine.volumes.get(f"dockboard-test-{RUN_ID}").remove()


def test_the_shown_command_line_makes_the_same_container(
    admin_client: Client, admin: User, engine: docker.DockerClient, busybox: str, cleanup
) -> None:
    fields = form(
        busybox,
        name=f"twin-{RUN_ID}",
        command="sleep 600",
        env="A=one two",
        ports="127.0.0.1::8080",
        memory="32m",
        restart="unless-stopped",
    )
    html = admin_client.post("/engines/local/containers/new/command-line/", fields).content.decode()
    line = text_of(html.split('id="create-line">', 1)[1].split("</pre>", 1)[0]).removeprefix("$ ")
    assert line.startswith("docker create -i -t --name twin-")

    ours = admin_client.post("/engines/local/containers/new/", {**fields, "create": "1"})
    assert ours.status_code == 302
    cli_line = line.replace(f"twin-{RUN_ID}", f"twin-cli-{RUN_ID}")
    subprocess.run(shlex.split(cli_line), check=True, capture_output=True)
    a, b = created(engine, "twin").attrs, created(engine, "twin-cli").attrs
    for section, key in [
        ("Config", "Cmd"), ("Config", "Env"), ("Config", "Tty"), ("Config", "OpenStdin"),
        ("Config", "ExposedPorts"), ("HostConfig", "PortBindings"),
        ("HostConfig", "Memory"), ("HostConfig", "RestartPolicy"), ("Config", "Image"),
    ]:  # fmt: skip
        assert a[section][key] == b[section][key], key
    # The same labels, besides the ownership Dockboard adds (the CLI's container has none).
    assert a["Config"]["Labels"].pop("dockboard.owner") == str(admin.pk)
    assert a["Config"]["Labels"].pop("dockboard.installation") == installation_id()
    assert a["Config"]["Labels"] == b["Config"]["Labels"]


def test_run_with_a_tty_goes_to_the_terminal(
    member_client: Client, engine: docker.DockerClient, busybox: str, cleanup
) -> None:
    response = member_client.post(
        "/engines/local/containers/new/", {**form(busybox, name=f"it-{RUN_ID}"), "run": "1"}
    )
    container = created(engine, "it")
    assert response["Location"] == f"/engines/local/containers/{container.id}/terminal/"
    assert container.status == "running"
    assert container.attrs["Config"]["Hostname"] == container.id[:12]


def test_published_port_answers_from_the_host(
    admin_client: Client, engine: docker.DockerClient, busybox: str, cleanup
) -> None:
    port = free_port()
    fields = {
        "image": busybox,
        "name": f"web-{RUN_ID}",
        "command": "httpd -f -p 8080 -h /etc",
        "ports": f"127.0.0.1:{port}:8080",
        "labels": LABEL_LINE,
        "run": "1",
    }
    response = admin_client.post("/engines/local/containers/new/", fields)
    container = created(engine, "web")
    assert response["Location"] == f"/engines/local/containers/{container.id}/"
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/hostname", timeout=2) as page:
                assert page.read().decode().strip() == container.id[:12]
                break
        except OSError:
            assert time.monotonic() < deadline
            time.sleep(0.2)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "bad name"}, "name", "Use letters, digits"),
        ({"ports": "80:abc"}, "ports", "Invalid port mapping"),
        ({"ports": "70000:80"}, "ports", "Invalid host port"),
        ({"memory": "lots"}, "memory", "Invalid memory"),
        ({"memory": "1k"}, "memory", "at least 6m"),
        ({"env": "=nope"}, "env", "Invalid line"),
        ({"labels": "novalue"}, "labels", "Invalid line"),
        ({"mounts": "data:relative"}, "mounts", "absolute path"),
        ({"restart": "sometimes"}, "restart", "Invalid restart policy"),
        ({"cpus": "many"}, "cpus", "number of CPUs"),
        ({"command": "echo 'unclosed"}, "command", "Cannot read this as a command"),
        ({"image": ""}, "image", "This field is required"),
    ],
)
def test_bad_input_is_explained_beside_the_field(
    member_client: Client, busybox: str, fields: dict, field: str, message: str
) -> None:
    response = member_client.post(
        "/engines/local/containers/new/", {**form(busybox), **fields, "run": "1"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in field_error(response, field)
    for value in fields.values():  # the input is kept
        if value:
            assert value.split("\n")[0].replace("'", "&#x27;") in html


def test_engine_refusals_are_explained_too(
    admin_client: Client, engine: docker.DockerClient, busybox: str, make_container, cleanup
) -> None:
    taken = make_container("sleep 600", name="taken")
    response = admin_client.post(
        "/engines/local/containers/new/", {**form(busybox, name=taken.name), "run": "1"}
    )
    assert response.status_code == 400
    assert "is already in use" in field_error(response, "name")

    missing = admin_client.post(
        "/engines/local/containers/new/",
        {**form(f"{busybox}-missing", name=f"m-{RUN_ID}"), "create": "1"},
    )
    assert missing.status_code == 302  # as `docker run` would: pull first (the worker's job)
    assert missing["Location"].startswith("/engines/local/images/pulls/")

    port = free_port()
    first = {
        "image": busybox,
        "command": "sleep 600",
        "ports": f"127.0.0.1:{port}:80",
        "labels": LABEL_LINE,
        "run": "1",
    }
    assert (
        admin_client.post(
            "/engines/local/containers/new/", {**first, "name": f"p1-{RUN_ID}"}
        ).status_code
        == 302
    )
    clash = admin_client.post("/engines/local/containers/new/", {**first, "name": f"p2-{RUN_ID}"})
    assert clash.status_code == 400
    assert "already allocated" in field_error(clash, "ports")
    with pytest.raises(docker.errors.NotFound):  # the failed run left nothing behind
        created(engine, "p2")


def test_members_may_not_mount_host_paths(
    member_client: Client, admin_client: Client, engine: docker.DockerClient, busybox: str, cleanup
) -> None:
    fields = {**form(busybox, mounts="/etc:/host-etc:ro"), "create": "1"}
    refused = member_client.post(
        "/engines/local/containers/new/", {**fields, "name": f"hp-{RUN_ID}"}
    )
    assert refused.status_code == 400
    assert "Host paths are for administrators" in field_error(refused, "mounts")
    allowed = admin_client.post(
        "/engines/local/containers/new/", {**fields, "name": f"hp-{RUN_ID}"}
    )
    assert allowed.status_code == 302


def test_memory_and_ports_parse_like_the_cli() -> None:
    assert parse_memory("512m") == 512 * 1024**2 and parse_memory("1g") == 1024**3
    assert [p.cli for p in parse_ports("8080:80\n127.0.0.1::53/udp\n[::1]:9000:90")] == [
        "8080:80", "127.0.0.1::53/udp", "[::1]:9000:90",
    ]  # fmt: skip


def test_the_form_offers_local_images(member_client: Client, busybox: str, member: User) -> None:
    html = member_client.get("/engines/local/containers/new/?image=alpine").content.decode()
    assert f'<option value="{busybox}">' in html
    assert 'value="alpine"' in html
