"""The Engine API endpoint with the real `docker` CLI, over the real engine and the world the CLI
left there: the seed chapter's commands work as on the engine's own socket, and every one passes
the gatekeeper and the policy gate, with the pages' messages."""

import json
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import docker
import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dashboard.models import AuditEvent, Team
from dockerapi import tokens
from teams import registry_logins
from tests.harness.accounts import PASSWORD, join
from tests.harness.docker_cli import (
    ENGINE_SOCKET,
    Pty,
    cli_config,
    cli_env,
)
from tests.harness.docker_cli import (
    docker as docker_cli,
)
from tests.harness.registry import PRIVATE_LOGIN, allowing
from tests.harness.run import RUN_ID, TEST_LABEL
from tests.harness.world import World

pytestmark = pytest.mark.django_db(transaction=True)

type Cli = Callable[..., object]


@pytest.fixture
def cli_of(endpoint: str, tmp_path: Path) -> Callable[[User], Cli]:
    """The `docker` CLI of a person, with a token of theirs in its config."""

    def make(user: User, team: str = "") -> Cli:
        _token, secret = tokens.issue(user, "tests", team_name=team)
        config = cli_config(tmp_path / f"cli-{user.pk}-{_token.pk}", secret)

        def run(*args: str, **options: object):
            return docker_cli(endpoint, config, *args, **options)

        run.token = _token
        run.config = config
        return run

    return make


@pytest.fixture
def raw(tmp_path: Path) -> Cli:
    """The same CLI on the engine's own socket."""
    config = cli_config(tmp_path / "cli-raw", "")
    return lambda *args, **options: docker_cli(ENGINE_SOCKET, config, *args, **options)


def shell_answers(terminal: Pty) -> bool:
    """Whether the container's shell answers what is typed (its answer, not the terminal's own
    echo of the line before the CLI has attached)."""
    terminal.send(b"\r")
    terminal.read_until(b"/ # ")
    terminal.send(b"echo $((6 * 7))\r")
    return terminal.read_until(b"\r\n42\r\n")


def test_the_seed_commands_answer_as_the_engine_does(
    cli_of, raw: Cli, member: User, busybox: str, engine: docker.DockerClient
) -> None:
    cli = cli_of(member)
    ours = cli("run", "--rm", busybox, "echo", "hello from a container")
    theirs = raw("run", "--rm", busybox, "echo", "hello from a container")
    assert (
        (ours.returncode, ours.stdout)
        == (theirs.returncode, theirs.stdout)
        == (
            0,
            "hello from a container\n",
        )
    )
    created = cli("create", "-i", "-t", "--name", "seed-create", busybox)
    assert created.returncode == 0, created.stderr
    container_id = created.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", container_id)
    assert cli("start", "seed-create").stdout.strip() == "seed-create"
    shown = cli("inspect", "-f", "{{.Config.Hostname}} {{.State.Running}}", "seed-create")
    assert shown.stdout.split() == [container_id[:12], "true"]
    assert cli("exec", "seed-create", "touch", "/made-here").returncode == 0
    ours, theirs = cli("diff", "seed-create"), raw("diff", "seed-create")
    assert "A /made-here" in ours.stdout.splitlines()
    assert ours.stdout == theirs.stdout
    ours, theirs = cli("inspect", "seed-create"), raw("inspect", "seed-create")
    assert json.loads(ours.stdout)[0].keys() == json.loads(theirs.stdout)[0].keys()
    ours = cli("ps", "-a", "--format", "{{.ID}} {{.Names}} {{.Status}}")
    assert ours.stdout.split()[:2] == [container_id[:12], "seed-create"]
    assert cli("ps").stdout.splitlines()[0].split() == raw("ps").stdout.splitlines()[0].split()
    assert busybox.rpartition(":")[2] in cli("images").stdout
    assert cli("rm", "-f", "seed-create").returncode == 0
    assert container_id not in {c.id for c in engine.containers.list(all=True)}


def test_docker_run_it_in_a_terminal_hostname_exit_and_detach(
    cli_of, member: User, busybox: str, endpoint: str, engine: docker.DockerClient
) -> None:
    cli = cli_of(member)
    run = Pty(
        ["docker", "run", "-i", "-t", "--name", "seed-run", busybox, "sh"],
        cli_env(endpoint, cli.config),
    )
    try:
        assert run.read_until(b"/ # "), run.output
        short_id = engine.containers.get("seed-run").id[:12]
        run.send(b"hostname\r")
        assert run.read_until(short_id.encode() + b"\r\n"), run.output
        run.send(b"exit\r")
        assert run.exited() == 0
    finally:
        run.close()
    assert engine.containers.get("seed-run").status == "exited"

    assert cli("start", "seed-run").returncode == 0
    attach = Pty(["docker", "attach", "seed-run"], cli_env(endpoint, cli.config))
    try:
        assert shell_answers(attach)
        attach.send(b"\x10\x11")  # Ctrl+P, Ctrl+Q
        assert attach.exited() == 1  # as with the engine's own socket
        assert b"read escape sequence" in attach.output
    finally:
        attach.close()
    assert engine.containers.get("seed-run").status == "running"
    commands = AuditEvent.objects.filter(actor=member).values_list("command", flat=True)
    assert "docker attach seed-run" in commands


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--privileged"], "--privileged is not allowed in team"),
        (["-v", "/:/host"], "Host paths are for administrators"),
        (["--network", "host"], "Network 'host' is not allowed in team"),
        (["--pid", "host"], "--pid is not allowed in team"),
        (["--cap-add", "SYS_ADMIN"], "--cap-add is not allowed in team"),
        (["--device", "/dev/null"], "--device is not allowed in team"),
        (["--label", "dockboard.owner=1"], "Labels starting with dockboard. are set by"),
    ],
)
def test_a_members_dangerous_options_are_refused_with_the_pages_message(
    cli_of, member: User, busybox: str, engine: docker.DockerClient, options, message
) -> None:
    before = {c.id for c in engine.containers.list(all=True)}
    refused = cli_of(member)("run", "--name", "refused", *options, busybox, "true")
    assert refused.returncode != 0
    assert f"Error response from daemon: {message}" in refused.stderr
    assert {c.id for c in engine.containers.list(all=True)} == before
    row = AuditEvent.objects.filter(actor=member, action="create").latest("pk")
    assert row.outcome == AuditEvent.Outcome.REFUSED


def test_another_members_containers_are_no_such_container(
    cli_of, member: User, other_member: User, busybox: str
) -> None:
    mine, theirs = cli_of(member), cli_of(other_member)
    assert mine("run", "-d", "--name", "mine", busybox, "sleep", "60").returncode == 0
    assert "mine" not in theirs("ps", "-a").stdout
    for args in (
        ["container", "inspect", "mine"],
        ["logs", "mine"],
        ["exec", "mine", "true"],
        ["rm", "mine"],
        ["stop", "mine"],
        ["attach", "mine"],
    ):
        answer = theirs(*args)
        assert answer.returncode != 0
        assert "No such container: mine" in answer.stderr, (args, answer.stderr)
    assert mine("inspect", "-f", "{{.State.Running}}", "mine").stdout.strip() == "true"


def test_what_the_cli_and_another_installation_made_is_not_anyones_through_the_endpoint(
    cli_of, world: World, other, team: Team, busybox: str, engine: docker.DockerClient
) -> None:
    """A member whose user id and team id are the ones the world's labels claim, and one with
    the other installation's member's id: neither sees or touches any of it."""
    claimed = Team.objects.create(pk=1, name="claimed", allowed_images=team.allowed_images)
    named_one = join(User.objects.create_user("one", id=1, password=PASSWORD), claimed, "member")
    twin = join(User.objects.create_user("twin", id=other.member_id), team, "member")
    theirs = {*world.containers.values(), *other.containers.values()}
    for person in (named_one, twin):
        cli = cli_of(person)
        assert cli("ps", "-a", "-q", "--no-trunc").stdout.split() == []
        for container_id in theirs:
            answer = cli("rm", "-f", container_id)
            assert f"No such container: {container_id}" in answer.stderr
        assert cli("info", "--format", "{{.Containers}}").stdout.strip() == "0"
    assert theirs <= {c.id for c in engine.containers.list(all=True)}


def test_pull_goes_through_the_gate(
    cli_of, member: User, layered_image: str, not_local, registry: str
) -> None:
    cli = cli_of(member)
    pulled = cli("pull", not_local(layered_image))
    assert pulled.returncode == 0, pulled.stderr
    assert f"Status: Downloaded newer image for {layered_image}" in pulled.stdout
    refused = cli("pull", f"{registry}/elsewhere/image:1")
    assert "is not on the list of images your teams may use" in refused.stderr
    every_tag = cli("pull", "--all-tags", f"{registry}/dockboard-test/layered")
    assert "Name one tag to pull" in every_tag.stderr


def test_a_cli_pull_logs_in_with_the_teams_stored_login(
    cli_of, member: User, instructor: User, team: Team, private_image: str,
    engine: docker.DockerClient,
) -> None:  # fmt: skip
    allowing(team, private_image)
    cli = cli_of(member)
    refused = cli("pull", private_image)
    assert refused.returncode != 0 and "no basic auth credentials" in refused.stderr
    registry, (user, password) = private_image.split("/", 1)[0], PRIVATE_LOGIN
    registry_logins.add(instructor, team, registry, "", user, password)
    pulled = cli("pull", private_image)
    assert pulled.returncode == 0, pulled.stderr
    assert f"Status: Downloaded newer image for {private_image}" in pulled.stdout
    engine.images.remove(private_image)


def test_without_a_valid_token_nothing_answers(
    cli_of, endpoint: str, member: User, tmp_path: Path
) -> None:
    for secret in ("", "dbk_not-a-token", "something else"):
        config = cli_config(tmp_path / f"bad-{len(secret)}", secret)
        answer = docker_cli(endpoint, config, "ps")
        assert "Dockboard needs a valid personal access token" in answer.stderr
    cli = cli_of(member)
    assert cli("ps").returncode == 0
    member.is_active = False
    member.save()
    assert "valid personal access token" in cli("ps").stderr


def test_a_revoked_token_closes_an_open_attach_within_a_second(
    cli_of, member: User, busybox: str, endpoint: str
) -> None:
    cli = cli_of(member)
    assert cli("run", "-d", "-i", "-t", "--name", "held", busybox, "sh").returncode == 0
    attach = Pty(["docker", "attach", "held"], cli_env(endpoint, cli.config))
    try:
        assert shell_answers(attach)
        revoked_at = time.monotonic()
        tokens.revoke(member, cli.token.pk)
        assert attach.exited(seconds=5) is not None
        assert time.monotonic() - revoked_at < 1.0
    finally:
        attach.close()
    assert "valid personal access token" in cli("ps").stderr
    assert tokens.valid("dbk_" + "x" * 43) is None


def test_an_expired_token_is_refused(cli_of, member: User) -> None:
    cli = cli_of(member)
    assert cli("ps").returncode == 0
    type(cli.token).objects.filter(pk=cli.token.pk).update(expires_at=timezone.now())
    assert "valid personal access token" in cli("ps").stderr


def test_what_the_endpoint_does_not_name_is_refused(
    cli_of, admin: User, member: User, tmp_path: Path, busybox: str
) -> None:
    """Default deny, for administrators too: build, plugins, swarm and the rest."""
    (tmp_path / "Dockerfile").write_text(f"FROM {busybox}\n")
    for person in (member, admin):
        cli = cli_of(person)
        for args in (
            ["build", "-q", str(tmp_path)],
            ["plugin", "ls"],
            ["swarm", "init"],
            ["system", "prune", "-f"],
            ["cp", str(tmp_path / "Dockerfile"), "anything:/tmp"],
        ):
            answer = cli(*args)
            assert answer.returncode != 0, args
            assert "Dockboard does not let" in answer.stderr, (args, answer.stderr)


def test_every_call_is_in_the_audit_log_with_its_command(
    cli_of, member: User, busybox: str
) -> None:
    cli = cli_of(member)
    cli("create", "--name", "logged", busybox, "true")
    cli("start", "logged")
    cli("ps", "-a")
    cli("rm", "logged")
    cli("run", "--privileged", busybox, "true")
    rows = list(
        AuditEvent.objects.filter(actor=member).order_by("pk").values_list("command", "outcome")
    )
    assert rows[-5:] == [
        (f"docker create --name logged {busybox} true", "ok"),
        ("docker start logged", "ok"),
        ("docker ps -a", "ok"),
        ("docker rm logged", "ok"),
        (f"docker create --privileged {busybox} true", "refused"),
    ]


def test_an_administrator_keeps_the_engines_own_rights(
    cli_of, admin: User, busybox: str, world: World, engine: docker.DockerClient
) -> None:
    cli = cli_of(admin)
    names = cli("ps", "-a", "--no-trunc", "-q").stdout.split()
    assert set(world.containers.values()) <= set(names)
    run = cli("run", "--rm", "--label", TEST_LABEL, "-v", "/etc:/host-etc:ro", busybox, "true")
    assert run.returncode == 0, run.stderr


def test_volumes_and_networks_are_ones_own_through_the_endpoint(
    cli_of, member: User, other_member: User, busybox: str, world: World
) -> None:
    mine, theirs = cli_of(member), cli_of(other_member)
    assert mine("volume", "create", "api-data").stdout.strip() == "api-data"
    assert mine("network", "create", "api-net").returncode == 0
    assert mine("volume", "ls", "-q").stdout.split() == ["api-data"]
    assert "api-net" in mine("network", "ls", "--format", "{{.Name}}").stdout.split()
    assert set(world.volumes).isdisjoint(mine("volume", "ls", "-q").stdout.split())
    for args in (["volume", "inspect", "api-data"], ["volume", "rm", "api-data"]):
        assert "No such volume: api-data" in theirs(*args).stderr
    assert "No such network: api-net" in theirs("network", "rm", "api-net").stderr
    run = mine(
        "run", "--rm", "-v", "api-data:/data", "--network", "api-net", busybox,
        "sh", "-c", "echo kept > /data/file && cat /data/file",
    )  # fmt: skip
    assert run.stdout == "kept\n", run.stderr
    assert (
        "Choosing a subnet is for administrators"
        in mine("network", "create", "--subnet", "10.99.0.0/24", "api-wide").stderr
    )
    assert (
        "Driver options are for administrators"
        in mine("volume", "create", "--opt", "type=tmpfs", "api-tmp").stderr
    )
    assert mine("volume", "rm", "api-data").returncode == 0
    assert mine("network", "rm", "api-net").returncode == 0
    assert mine("volume", "ls", "-q").stdout.split() == []


COMPOSE_PROJECT = """\
version: "3"
services:
  web:
    image: {image}
    command: ["sh", "-c", "while true; do echo web up; sleep 1; done"]
  worker:
    image: {image}
    command: ["sh", "-c", "nslookup web > /dev/null && echo web resolves; sleep 600"]
"""


def test_docker_compose_up_ps_logs_down_as_a_member(
    cli_of, member: User, other_member: User, busybox: str, tmp_path: Path, endpoint: str
) -> None:
    """Debian's docker-compose 1.29 through the endpoint: its network, two services that find
    each other by name, their logs, and all of it gone after `down`."""
    project = tmp_path / "shop"
    project.mkdir()
    (project / "docker-compose.yml").write_text(COMPOSE_PROJECT.format(image=busybox))
    cli, theirs = cli_of(member), cli_of(other_member)

    def compose(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["docker-compose", *args],
            cwd=project,
            env=cli_env(endpoint, cli.config),
            capture_output=True,
            text=True,
            timeout=120,
        )

    up = compose("up", "-d")
    assert up.returncode == 0, up.stderr
    listed = compose("ps")
    assert "shop_web_1" in listed.stdout and "Up" in listed.stdout, listed.stdout
    assert "shop_web_1" not in theirs("ps", "-a").stdout
    logs = ""
    deadline = time.monotonic() + 20
    while "web resolves" not in logs and time.monotonic() < deadline:
        logs = compose("logs").stdout
        time.sleep(0.3)
    assert "web up" in logs and "web resolves" in logs
    down = compose("down")
    assert down.returncode == 0, down.stderr
    assert cli("ps", "-a", "-q").stdout.split() == []
    assert "shop_default" not in cli("network", "ls", "--format", "{{.Name}}").stdout


def test_commit_tag_and_rmi_go_through_the_pages_rules(
    cli_of, member: User, instructor: User, busybox: str, registry: str, engine: docker.DockerClient
) -> None:
    """A member commits their container to a name the team may use (never with a
    `dockboard.*` label); tagging and removing images is the instructors'."""
    member_cli, teacher_cli = cli_of(member), cli_of(instructor)
    assert member_cli("run", "--name", "layered", busybox, "touch", "/made").returncode == 0
    target = f"{registry}/dockboard-test/committed-{RUN_ID}:1"
    committed = member_cli("commit", "-m", "made", "-c", 'CMD ["sh"]', "layered", target)
    assert committed.returncode == 0, committed.stderr
    assert engine.images.get(target).attrs["Config"]["Cmd"] == ["sh"]
    refused = member_cli("commit", "-c", "LABEL dockboard.owner=1", "layered", target)
    assert "dockboard." in refused.stderr and refused.returncode != 0
    elsewhere = member_cli("commit", "layered", "elsewhere/image:1")
    assert elsewhere.returncode != 0
    second = f"{registry}/dockboard-test/committed-{RUN_ID}:2"
    assert "Only administrators and the instructors" in member_cli("tag", target, second).stderr
    assert "Only administrators and the instructors" in member_cli("rmi", target).stderr
    assert teacher_cli("tag", target, second).returncode == 0
    removed = teacher_cli("rmi", target, second)
    assert removed.returncode == 0, removed.stderr
    assert f"Untagged: {second}" in removed.stdout
    with pytest.raises(docker.errors.ImageNotFound):
        engine.images.get(second)


def test_logs_follow_and_exec_it_stream_as_on_the_engine(
    cli_of, member: User, busybox: str, endpoint: str, engine: docker.DockerClient
) -> None:
    cli = cli_of(member)
    command = "i=0; while true; do i=$((i+1)); echo line-$i; sleep 0.2; done"
    assert cli("run", "-d", "--name", "talker", busybox, "sh", "-c", command).returncode == 0
    follow = Pty(["docker", "logs", "-f", "talker"], cli_env(endpoint, cli.config))
    try:
        assert follow.read_until(b"line-3\r\n")
        assert follow.read_until(b"line-6\r\n")  # still following
    finally:
        follow.close()
    shell = Pty(["docker", "exec", "-i", "-t", "talker", "sh"], cli_env(endpoint, cli.config))
    try:
        assert shell_answers(shell)
        shell.send(b"touch /from-exec; exit\r")
        assert shell.exited() == 0
    finally:
        shell.close()
    assert "A /from-exec" in cli("diff", "talker").stdout


def test_docker_events_shows_the_callers_objects_alone(
    cli_of, member: User, other_member: User, busybox: str
) -> None:
    mine, theirs = cli_of(member), cli_of(other_member)
    since = str(int(time.time()) - 1)
    assert mine("run", "--name", "mine-ran", busybox, "true").returncode == 0
    assert theirs("run", "--name", "theirs-ran", busybox, "true").returncode == 0
    until = str(int(time.time()) + 1)
    time.sleep(1.1)  # the engine answers a window that has ended, then closes the stream
    shown = mine(
        "events",
        "--since",
        since,
        "--until",
        until,
        "--format",
        "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}",
    )
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert "container start mine-ran" in lines and "container die mine-ran" in lines
    assert not any("theirs-ran" in line for line in lines)
    assert not any(line.startswith(("network", "volume")) for line in lines)
