"""`docker build` from the page, run by a real worker on the real engine's builder: a context
with COPY and ADD, build arguments, the output on the job's page, the image its builder's; the
gate's refusals before anything is queued; cancel; the team's size limit."""

import contextlib
import io
import ipaddress
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import docker
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from dashboard.models import AuditEvent, Team
from dashboard.notation.dockerfile import instructions, substituted
from dashboard.policy import ownership
from images.builds import KEPT_DAYS, forget_old_builds
from images.models import BuildJob
from tests.harness.accounts import signed_in
from tests.harness.archives import tar_bytes
from tests.harness.git_server import Repository
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import get_ok, text_of

pytestmark = pytest.mark.django_db(transaction=True)
BUILD = "/engines/local/images/build/"


@pytest.fixture
def tag(registry: str, engine: docker.DockerClient):
    """A tag in the team's namespace; its image removed after."""
    reference = f"{registry}/dockboard-test/built:{RUN_ID}"
    yield reference
    with contextlib.suppress(docker.errors.ImageNotFound):
        engine.images.remove(reference, force=True)


def _finished(job_id: object, seconds: float = 60) -> BuildJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = BuildJob.objects.get(pk=job_id)
        if job.state not in BuildJob.ACTIVE:
            return job
        time.sleep(0.2)
    raise AssertionError(f"the build did not end: {BuildJob.objects.get(pk=job_id).log[-500:]}")


def test_a_member_builds_from_a_context_with_copy_and_add(
    member: User, other_member: User, team: Team, busybox: str, tag: str, start_worker,
    engine: docker.DockerClient,
) -> None:  # fmt: skip
    start_worker()
    dockerfile = (
        f"FROM {busybox}\nARG NOTE=unset\nCOPY greeting.txt /srv/greeting.txt\n"
        "ADD bundle.tar.gz /srv/bundle/\n"
        'RUN echo "note=$NOTE" > /srv/note && cat /srv/bundle/inner.txt\n'
        f"LABEL {LABEL_KEY}={RUN_ID}\n"
    )
    context = tar_bytes({
        "greeting.txt": b"hello from the context\n",
        "bundle.tar.gz": tar_bytes({"inner.txt": b"unpacked by ADD\n"}, "gz"),
    })  # fmt: skip
    client = signed_in(member)
    response = client.post(BUILD, {
        "team": team.pk, "tag": tag, "dockerfile": dockerfile, "build_args": "NOTE=from-the-form",
        "context": SimpleUploadedFile("context.tar", context), "build": "1",
    })  # fmt: skip
    assert response.status_code == 302, text_of(response.content)[-800:]
    job = _finished(response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert job.state == "succeeded", (job.error, job.log[-800:])
    page = text_of(get_ok(client, response["Location"]))
    assert f"$ docker build -t {tag} --build-arg NOTE=from-the-form ." in page
    assert "Step 1/6 : FROM" in page and "unpacked by ADD" in page and "Built." in page

    image = engine.images.get(tag)
    assert image.id == job.image_id
    run = engine.containers.run(
        tag, ["cat", "/srv/greeting.txt", "/srv/bundle/inner.txt", "/srv/note"], remove=True
    )
    assert run == b"hello from the context\nunpacked by ADD\nnote=from-the-form\n"
    owner = ownership.owner_of(ownership.Kind.IMAGE, image.id)
    assert owner.owner_id == member.pk and owner.team_id == team.pk
    assert "dockboard-test/built" in text_of(get_ok(client, "/engines/local/images/"))
    assert signed_in(other_member).get(response["Location"]).status_code == 404
    finished = AuditEvent.objects.get(action="build-finished", target_id=image.id)
    assert finished.outcome == "ok" and finished.actor == member


def test_a_zip_context_builds_with_its_own_dockerfile(
    member: User, team: Team, busybox: str, tag: str, start_worker, engine: docker.DockerClient
) -> None:
    start_worker()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("Dockerfile", f"FROM {busybox}\nCOPY app/ /app/\n")
        bundle.writestr("app/run.sh", "echo zipped\n")
    response = signed_in(member).post(BUILD, {
        "team": team.pk, "tag": tag, "dockerfile": "", "build_args": "",
        "context": SimpleUploadedFile("context.zip", archive.getvalue()), "build": "1",
    })  # fmt: skip
    job = _finished(response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert job.state == "succeeded", (job.error, job.log[-800:])
    assert engine.containers.run(tag, ["sh", "/app/run.sh"], remove=True) == b"zipped\n"


@override_settings(DOCKBOARD_GIT_ALLOWED_NETWORKS=[ipaddress.ip_network("127.0.0.1/32")])
def test_a_context_from_a_git_repository_builds_its_folder(
    member: User, team: Team, busybox: str, tag: str, start_worker, engine: docker.DockerClient,
    tmp_path: Path,
) -> None:  # fmt: skip
    repository = Repository(tmp_path)
    try:
        repository.commit({
            "app/Dockerfile": f"FROM {busybox}\nCOPY . /app/\nLABEL {LABEL_KEY}={RUN_ID}\n",
            "app/.profile": "a dotfile keeps its dot\n",
            "app/run.sh": "echo from git\n",
            "elsewhere.txt": "outside the folder\n",
        })  # fmt: skip
        start_worker()
        client = signed_in(member)
        response = client.post(BUILD, {
            "team": team.pk, "tag": tag, "dockerfile": "", "build_args": "",
            "git_url": repository.url, "git_branch": "main", "git_folder": "app", "build": "1",
        })  # fmt: skip
        assert response.status_code == 302, text_of(response.content)[-800:]
        job = _finished(response["Location"].rstrip("/").rsplit("/", 1)[1])
        assert job.state == "succeeded", (job.error, job.log[-800:])
        assert f"$ docker build -t {tag} '{repository.url}#main:app'" in text_of(
            get_ok(client, response["Location"])
        )
        listing = engine.containers.run(tag, ["ls", "-a", "/app"], remove=True).decode().split()
        assert {"Dockerfile", "run.sh", ".profile"} <= set(listing), listing
        assert not {"elsewhere.txt", ".git", "profile"} & set(listing), listing
        refused = client.post(BUILD, {
            "team": team.pk, "tag": tag, "dockerfile": "", "build_args": "",
            "git_url": repository.url, "git_branch": "main", "git_folder": "../..", "build": "1",
        })  # fmt: skip
        assert "Name a folder inside the repository" in text_of(refused.content)
    finally:
        repository.close()
    with override_settings(DOCKBOARD_GIT_ALLOWED_NETWORKS=[]):
        refused = signed_in(member).post(BUILD, {
            "team": team.pk, "tag": tag, "dockerfile": "", "build_args": "",
            "git_url": repository.url, "git_branch": "main", "git_folder": "", "build": "1",
        })  # fmt: skip
        assert "an address of this machine or of a private network" in text_of(refused.content)


@pytest.mark.parametrize(
    ("dockerfile", "tag_name", "refusal"),
    [
        ("FROM alpine:3\n", None, "Line 1: alpine:3 is not on the list of images team"),
        (
            "FROM {busybox}\nRUN --network=host true\n",
            None,
            "Line 2: RUN --network reaches the host",
        ),
        (
            "FROM {busybox}\nCOPY --from=alpine:3 /x /x\n",
            None,
            "Line 2: alpine:3 is not on the list",
        ),
        ("FROM {busybox}\nADD http://127.0.0.1:9/x /x\n", None, "Line 2: ADD of a URL fetches it"),
        ("ARG BASE\nFROM ${{BASE}}\n", None, "Line 2: ${BASE} does not name an image"),
        ("FROM {busybox}\n", "evil/elsewhere:1", "evil/elsewhere:1 is not on the list of images"),
    ],
)
def test_the_gate_refuses_a_build_before_anything_is_queued(
    member: User, team: Team, busybox: str, tag: str, dockerfile: str, tag_name: str | None,
    refusal: str,
) -> None:  # fmt: skip
    response = signed_in(member).post(BUILD, {
        "team": team.pk, "tag": tag_name or tag, "dockerfile": dockerfile.format(busybox=busybox),
        "build_args": "", "build": "1",
    })  # fmt: skip
    assert response.status_code == 400
    assert refusal in text_of(response.content)
    assert not BuildJob.objects.exists()
    assert AuditEvent.objects.get(action="build").outcome == "refused"


def test_a_build_is_cancelled_and_one_too_large_is_removed(
    member: User, team: Team, busybox: str, tag: str, start_worker, engine: docker.DockerClient
) -> None:
    start_worker()
    client = signed_in(member)
    fields = {"team": team.pk, "tag": tag, "build_args": "", "build": "1"}
    slow = client.post(BUILD, {**fields, "dockerfile": f"FROM {busybox}\nRUN sleep 61\n"})
    page = slow["Location"]
    deadline = time.monotonic() + 30
    while "Step 2/2 : RUN sleep 61" not in BuildJob.objects.get().log:
        assert time.monotonic() < deadline, "the build did not reach its slow step"
        time.sleep(0.2)
    started = time.monotonic()
    client.post(page + "cancel/")
    job = _finished(BuildJob.objects.get().pk, seconds=20)
    assert job.state == "cancelled" and time.monotonic() - started < 10
    deadline = time.monotonic() + 10  # the builder ends the step's container too
    while any("sleep 61" in found["Command"] for found in engine.api.containers(all=True)):
        assert time.monotonic() < deadline, "the cancelled step still runs"
        time.sleep(0.2)
    with pytest.raises(docker.errors.ImageNotFound):
        engine.images.get(tag)

    team.build_size = 1024
    team.save()
    large = client.post(BUILD, {**fields, "dockerfile": f"FROM {busybox}\nRUN echo big > /big\n"})
    job = _finished(large["Location"].rstrip("/").rsplit("/", 1)[1])
    assert job.state == "failed" and "more than the 1 KiB the team allows" in job.error
    assert "more than the 1 KiB the team allows" in text_of(get_ok(client, large["Location"]))
    with pytest.raises(docker.errors.ImageNotFound):
        engine.images.get(tag)


def test_a_dockerfile_is_read_as_the_builder_reads_it() -> None:
    text = (
        "# escape=`\n# a comment\nARG BASE=busybox\nFROM ${BASE:-other}:1 AS first\n"
        "RUN --network=host echo a `\n  # inside\n  b\nCOPY --from=first /x /y\n"
    )
    steps = instructions(text)
    assert [(s.line, s.keyword, s.flags, s.arguments) for s in steps] == [
        (3, "ARG", {}, "BASE=busybox"),
        (4, "FROM", {}, "${BASE:-other}:1 AS first"),
        (5, "RUN", {"network": "host"}, "echo a  b"),
        (8, "COPY", {"from": "first"}, "/x /y"),
    ]
    assert substituted("${BASE:-other}:1 $X ${Y:+set}", {"BASE": "busybox"}) == "busybox:1 $X "


def test_finished_builds_are_forgotten_after_a_month(member: User, team: Team) -> None:
    old = timezone.now() - timedelta(days=KEPT_DAYS + 1)
    fields = {"requested_by": member, "team": team, "tag": "x:1", "dockerfile": "FROM x\n"}
    done = BuildJob.objects.create(**fields, state="succeeded")
    waiting = BuildJob.objects.create(**fields, state="queued")
    recent = BuildJob.objects.create(**fields, state="failed")
    BuildJob.objects.filter(pk__in=[done.pk, waiting.pk]).update(created_at=old)
    assert forget_old_builds(sender=None) == 1
    assert set(BuildJob.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}


def test_a_context_above_the_upload_limit_is_refused_before_it_is_read(
    member: User, team: Team, tag: str
) -> None:
    with override_settings(DOCKBOARD_UPLOAD_MAX_BYTES=4096):
        response = signed_in(member).post(BUILD, {
            "team": team.pk, "tag": tag, "dockerfile": "", "build_args": "", "build": "1",
            "context": SimpleUploadedFile("context.tar", b"\0" * 200_000),
        }, follow=True)  # fmt: skip
    assert "The files are larger than an upload may be (4 KiB)." in text_of(response.content)
    assert not BuildJob.objects.exists()
