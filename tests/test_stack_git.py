"""Stacks read from a Git repository served on loopback over HTTP (git's own "dumb" protocol, a
plain file server): made from the branch, previewed and redeployed after a commit, redeployed by
a signed webhook through the worker; and the server-side request refused where it could reach
this machine, another address than the one checked, or a file outside the clone."""

import hashlib
import hmac
import http.server
import ipaddress
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from dashboard.models import AuditEvent, Team
from stacks import git_stacks
from stacks.git_polls import queue_due_polls
from stacks.models import Stack
from tests.harness.accounts import signed_in
from tests.harness.git_server import Repository, serve
from tests.harness.run import RUN_ID
from tests.pages import get_ok, text_of
from tests.test_stacks import PROJECT, STACKS, compose, made

pytestmark = pytest.mark.django_db(transaction=True)
LOOPBACK = [ipaddress.ip_network("127.0.0.1/32")]


@pytest.fixture
def repository(tmp_path: Path, busybox: str) -> Iterator[Repository]:
    repo = Repository(tmp_path)
    repo.commit({"deploy/compose.yaml": compose(busybox)})
    yield repo
    repo.close()


@pytest.fixture
def ports_team(team: Team) -> Team:
    team.port_range_start, team.port_range_end = 38000, 38999
    team.save()
    return team


@pytest.fixture
def stack_name(engine: docker.DockerClient) -> Iterator[str]:
    name = f"t{RUN_ID}git"
    yield name
    for container in engine.containers.list(all=True, filters={"label": f"{PROJECT}={name}"}):
        container.remove(force=True, v=True)
    for network in engine.networks.list(filters={"label": f"{PROJECT}={name}"}):
        network.remove()
    for volume in engine.volumes.list(filters={"label": f"{PROJECT}={name}"}):
        volume.remove(force=True)


def from_git(
    client, name: str, url: str, team: Team, paths: str = "deploy/compose.yaml", poll: int = 0
):
    return client.post(
        STACKS + "new/",
        {"name": name, "team": team.pk, "compose": "", "env": "", "git_url": url,
         "git_branch": "main", "git_paths": paths, "git_poll_minutes": poll, "deploy": ""},
    )  # fmt: skip


def deployed_by_worker(
    engine: docker.DockerClient, stack_name: str, commit: str, command: list[str]
) -> None:
    """Wait for the worker to deploy ``commit``; its web service then runs ``command``."""
    deadline = time.monotonic() + 60
    while Stack.objects.get(name=stack_name).git_commit != commit:
        assert time.monotonic() < deadline, list(
            AuditEvent.objects.filter(action__startswith="stack").values("action", "reason")
        )
        time.sleep(0.3)
    assert engine.containers.get(f"{stack_name}_web_1").attrs["Config"]["Cmd"] == command


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@override_settings(DOCKBOARD_GIT_ALLOWED_NETWORKS=LOOPBACK)
def test_a_stack_from_git_is_previewed_and_redeployed_after_a_commit(
    engine: docker.DockerClient,
    busybox: str,
    member: User,
    ports_team: Team,
    repository: Repository,
    stack_name: str,
) -> None:
    client = signed_in(member)
    response = from_git(client, stack_name, repository.url, ports_team)
    assert response.status_code == 302, text_of(response.content)[:1500]
    first = Stack.objects.get(name=stack_name)
    assert first.git_commit == repository.git("rev-parse", "HEAD")
    page = text_of(get_ok(client, f"{STACKS}{stack_name}/"))
    assert first.git_commit in page and repository.url in page
    assert len(made(engine, stack_name)["containers"]) == 2

    commit = repository.commit({"deploy/compose.yaml": compose(busybox, "httpd -f -p 8082")})
    preview = client.post(f"{STACKS}{stack_name}/redeploy/", {"fetch": ""})
    shown = text_of(preview.content)
    assert f"Fetched commit {commit[:12]}" in shown and "web recreate changed: command" in shown
    assert "httpd -f -p 8082" in preview.content.decode()
    deployed = client.post(
        f"{STACKS}{stack_name}/redeploy/",
        {"compose": compose(busybox, "httpd -f -p 8082"), "env": "", "git_commit": commit,
         "deploy": ""},
    )  # fmt: skip
    assert deployed.status_code == 302
    web = engine.containers.get(f"{stack_name}_web_1")
    assert web.attrs["Config"]["Cmd"] == ["httpd", "-f", "-p", "8082"]
    assert Stack.objects.get(name=stack_name).git_commit == commit


@override_settings(DOCKBOARD_GIT_ALLOWED_NETWORKS=LOOPBACK)
def test_a_signed_push_redeploys_through_the_worker_and_nothing_else_does(
    engine: docker.DockerClient,
    busybox: str,
    member: User,
    ports_team: Team,
    repository: Repository,
    stack_name: str,
    start_worker,
    client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKBOARD_GIT_ALLOWED_NETWORKS", "127.0.0.1/32")  # the worker's too
    owner = signed_in(member)
    assert from_git(owner, stack_name, repository.url, ports_team).status_code == 302
    page = get_ok(owner, f"{STACKS}{stack_name}/").decode()
    hook = f"{STACKS}{stack_name}/webhook/"
    assert hook in page
    secret = text_of(page).split("Secret ", 1)[1].split()[0]

    commit = repository.commit({"deploy/compose.yaml": compose(busybox, "httpd -f -p 8083")})
    body = b'{"ref": "refs/heads/main"}'
    for header in ("", "sha256=" + "0" * 64, signature("not-the-secret", body)):
        refused = client.post(hook, body, content_type="application/json",
                              headers={"X-Hub-Signature-256": header})  # fmt: skip
        assert refused.status_code == 403
    missing = client.post(f"{STACKS}nothing-here/webhook/", body, content_type="application/json",
                          headers={"X-Hub-Signature-256": signature(secret, body)})  # fmt: skip
    assert missing.status_code == 403
    assert client.get(hook).status_code == 405
    assert Stack.objects.get(name=stack_name).git_commit != commit

    queued = client.post(hook, body, content_type="application/json",
                         headers={"X-Hub-Signature-256": signature(secret, body)})  # fmt: skip
    assert queued.status_code == 202
    start_worker()
    deployed_by_worker(engine, stack_name, commit, ["httpd", "-f", "-p", "8083"])
    assert AuditEvent.objects.filter(action="stack-webhook", actor=member, outcome="ok").exists()


@override_settings(DOCKBOARD_GIT_ALLOWED_NETWORKS=LOOPBACK)
def test_a_polled_stack_deploys_a_new_commit_and_a_quiet_poll_writes_nothing(
    engine: docker.DockerClient,
    busybox: str,
    member: User,
    other_member: User,
    ports_team: Team,
    repository: Repository,
    stack_name: str,
    start_worker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKBOARD_GIT_ALLOWED_NETWORKS", "127.0.0.1/32")  # the worker's too
    owner = signed_in(member)
    made_it = from_git(owner, stack_name, repository.url, ports_team, poll=1)
    assert made_it.status_code == 302, text_of(made_it.content)[:1500]
    assert "The worker polls the branch every minute" in text_of(
        get_ok(owner, f"{STACKS}{stack_name}/")
    )

    commit = repository.commit({"deploy/compose.yaml": compose(busybox, "httpd -f -p 8084")})
    start_worker()  # its first minute begins at once: the stack was never polled
    deployed_by_worker(engine, stack_name, commit, ["httpd", "-f", "-p", "8084"])
    assert AuditEvent.objects.filter(action="stack-poll", actor=member, outcome="ok").exists()

    stack = Stack.objects.get(name=stack_name)
    assert queue_due_polls(sender=None) == 0  # polled less than a minute ago
    rows = AuditEvent.objects.count()
    assert "at commit" in git_stacks.poll(member, stack)
    assert AuditEvent.objects.count() == rows

    stack.git_url = "http://127.0.0.1:9/nothing.git"  # nothing answers there
    git_stacks.poll(member, stack)
    page = text_of(get_ok(owner, f"{STACKS}{stack_name}/"))
    assert "The last poll could not fetch the branch" in page
    assert (
        signed_in(other_member)
        .post(f"{STACKS}{stack_name}/git-poll/", {"git_poll_minutes": 5})
        .status_code
        == 404
    )
    assert (
        owner.post(f"{STACKS}{stack_name}/git-poll/", {"git_poll_minutes": -1}).status_code == 400
    )
    stopped = owner.post(f"{STACKS}{stack_name}/git-poll/", {"git_poll_minutes": 0}, follow=True)
    assert f"Stack {stack_name} is no longer polled." in text_of(stopped.content)
    assert Stack.objects.get(name=stack_name).git_poll_minutes == 0
    assert AuditEvent.objects.filter(action="stack-poll-set", actor=member).count() == 1


class Redirecting(http.server.BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", self.target + self.path)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_addresses_git_must_not_reach_are_refused(
    busybox: str, member: User, ports_team: Team, repository: Repository, stack_name: str
) -> None:
    client = signed_in(member)
    refused = {
        repository.url: "an address of this machine or of a private network",
        "http://169.254.169.254/latest/meta-data.git": "an address of this machine",
        "http://[::ffff:127.0.0.1]:9/x.git": "an address of this machine",
        "file:///etc/": "Use the https:// address",
        "ssh://git@example.org/x.git": "Use the https:// address",
        "https://user:secret@example.org/x.git": "Put no user name or password",
    }
    for url, reason in refused.items():
        response = from_git(client, stack_name, url, ports_team)
        assert response.status_code == 400, url
        assert reason in text_of(response.content), (url, text_of(response.content)[:1500])
    assert not Stack.objects.filter(name=stack_name).exists()

    with override_settings(DOCKBOARD_GIT_ALLOWED_NETWORKS=LOOPBACK):
        Redirecting.target = repository.url.removesuffix("/stack.git")
        server, port = serve(Path("."), Redirecting)
        try:
            response = from_git(client, stack_name, f"http://127.0.0.1:{port}/stack.git",
                                ports_team)  # fmt: skip
        finally:
            server.shutdown()
        assert "git could not fetch the repository" in text_of(response.content)
        for paths in ("../../etc/passwd", "/etc/passwd"):
            response = from_git(client, stack_name, repository.url, ports_team, paths)
            assert "Name files inside the repository" in text_of(response.content), paths
        (repository.work / "leak.yaml").symlink_to("/etc/passwd")
        repository.commit({})
        response = from_git(client, stack_name, repository.url, ports_team, "leak.yaml")
        assert "The repository has no file leak.yaml" in text_of(response.content)
    assert not Stack.objects.filter(name=stack_name).exists()
