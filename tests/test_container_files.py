"""A container's files, through the engine's archive endpoint: browse, read, download, upload
and edit, running or stopped; for those who may see the container, written only by those who
may change it, every copy audited; links never lead outside the container."""

import io
import tarfile
import time

import docker
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from dashboard.models import AuditEvent
from tests.harness.accounts import signed_in
from tests.pages import get_ok, streamed, text_of

pytestmark = pytest.mark.django_db(transaction=True)

SETUP = (
    "mkdir -p /srv/site/sub && echo hello > /srv/site/index.txt && "
    "printf 'a=1\\nb=2\\n' > /srv/site/app.conf && chmod 600 /srv/site/app.conf && "
    "printf 'bin\\0ary' > /srv/site/blob && ln -s /../../../etc /srv/site/escape && "
    "ln -s sub /srv/site/down && echo run > /srv/site/tool && chmod 4755 /srv/site/tool && "
    "exec sleep 600"
)


def _files(container: docker.models.containers.Container, path: str = "") -> str:
    url = f"/engines/local/containers/{container.id}/files/"
    return f"{url}?path={path}" if path else url


@pytest.fixture
def site(make_container) -> docker.models.containers.Container:
    container = make_container(["sh", "-c", SETUP], init=True)
    for _ in range(50):
        if container.exec_run(["test", "-u", "/srv/site/tool"]).exit_code == 0:
            return container
        time.sleep(0.1)
    raise AssertionError("the container did not make its files")


def test_a_member_browses_reads_and_downloads_their_containers_files(site, member: User) -> None:
    client = signed_in(member)
    detail = get_ok(client, f"/engines/local/containers/{site.id}/").decode()
    assert f'href="{_files(site)}"' in detail
    root = text_of(get_ok(client, _files(site)))
    assert "etc/" in root and "srv/" in root and "bin/" in root
    folder = get_ok(client, _files(site, "/srv/site")).decode()
    shown = text_of(folder)
    assert f"$ docker cp {site.name}:/srv/site -" in shown
    assert "sub/" in shown and "index.txt 6 B -rw-r--r-- root:root" in shown
    assert "app.conf 8 B -rw------- root:root" in shown
    assert "escape → /../../../etc" in shown and "down → sub" in shown
    # A link leads where the engine resolves it: the container's /etc, never the host's.
    escape = client.get(_files(site, "/srv/site/escape"))
    assert escape.status_code == 302 and escape["Location"].endswith("?path=%2Fetc")
    hostname = text_of(get_ok(client, _files(site, "/srv/site/escape/hostname")))
    assert site.id[:12] in hostname
    assert client.get(_files(site, "/srv/site/down"))["Location"].endswith("%2Fsrv%2Fsite%2Fsub")

    text = get_ok(client, _files(site, "/srv/site/index.txt")).decode()
    assert '<textarea id="file-text" name="text"' in text and "hello" in text
    assert "tool 4 B -rwsr-xr-x root:root" in shown
    setuid = get_ok(client, _files(site, "/srv/site/tool")).decode()  # a file all the same
    assert '<textarea id="file-text"' in setuid and "run" in setuid
    binary = text_of(get_ok(client, _files(site, "/srv/site/blob")))
    assert "This file is not text" in binary

    download = f"/engines/local/containers/{site.id}/files/download/?path=/srv/site/index.txt"
    response = client.get(download)
    assert response["Content-Disposition"] == 'attachment; filename="index.txt"'
    assert streamed(response) == b"hello\n"
    response = client.get(download.replace("/index.txt", ""))
    assert response["Content-Disposition"] == 'attachment; filename="site.tar"'
    with tarfile.open(fileobj=io.BytesIO(streamed(response)), mode="r:") as tar:
        names = set(tar.getnames())
    assert {"site/index.txt", "site/app.conf", "site/sub", "site/escape"} <= names
    downloads = AuditEvent.objects.filter(action="file-download", target_id=site.id)
    assert [event.command for event in downloads.order_by("pk")] == [
        f"docker cp {site.name}:/srv/site/index.txt .",
        f"docker cp {site.name}:/srv/site -",
    ]


def test_a_stopped_containers_files_are_read_all_the_same(site, member: User) -> None:
    site.stop(timeout=1)
    client = signed_in(member)
    assert "index.txt" in text_of(get_ok(client, _files(site, "/srv/site")))
    missing = client.get(_files(site, "/srv/nothing"))
    assert missing.status_code == 404
    assert f"Nothing is at /srv/nothing in {site.name}." in text_of(missing.content)


def test_uploaded_files_land_in_the_folder_and_are_audited(site, member: User) -> None:
    client = signed_in(member)
    upload = f"/engines/local/containers/{site.id}/files/upload/?path=/srv/site/sub"
    files = [
        SimpleUploadedFile("notes.txt", b"first\n"),
        SimpleUploadedFile("data.bin", bytes(range(256)) * 40),
    ]
    response = client.post(upload, {"files": files}, follow=True)
    shown = text_of(response.content)
    assert "Copied 2 files into /srv/site/sub" in shown
    assert "notes.txt" in shown and "data.bin 10 KiB" in shown
    assert site.exec_run(["cat", "/srv/site/sub/notes.txt"]).output == b"first\n"
    assert site.exec_run(["wc", "-c", "/srv/site/sub/data.bin"]).output.split()[0] == b"10240"
    event = AuditEvent.objects.get(action="file-upload", target_id=site.id)
    assert event.command == f"docker cp notes.txt data.bin {site.name}:/srv/site/sub"


def test_an_upload_above_the_limit_is_refused_and_nothing_lands(site, member: User) -> None:
    client = signed_in(member)
    upload = f"/engines/local/containers/{site.id}/files/upload/?path=/srv/site"
    with override_settings(DOCKBOARD_UPLOAD_MAX_BYTES=4096):
        big = SimpleUploadedFile("big.bin", b"x" * 200_000)
        refused = text_of(client.post(upload, {"files": [big]}, follow=True).content)
        assert "The files are larger than an upload may be (4 KiB)." in refused
        small = SimpleUploadedFile("small.bin", b"x" * 5000)  # the body fits, the file does not
        refused = text_of(client.post(upload, {"files": [small]}, follow=True).content)
        assert "4.883 KiB is more than the 4 KiB a copy into a container may hold" in refused
    assert site.exec_run(["ls", "/srv/site"]).output.split() == [
        b"app.conf", b"blob", b"down", b"escape", b"index.txt", b"sub", b"tool"
    ]  # fmt: skip


def test_an_edit_keeps_the_files_mode_and_a_conflict_keeps_the_users_text(
    site, member: User
) -> None:
    client = signed_in(member)
    page = get_ok(client, _files(site, "/srv/site/app.conf")).decode()
    digest = page.split('name="digest" value="')[1].split('"')[0]
    save = f"/engines/local/containers/{site.id}/files/save/"
    response = client.post(
        save, {"path": "/srv/site/app.conf", "digest": digest, "text": "a=1\r\nb=3\r\n"}
    )
    assert response.status_code == 302
    assert site.exec_run(["cat", "/srv/site/app.conf"]).output == b"a=1\nb=3\n"  # no CRs
    assert site.exec_run(["stat", "-c", "%a %u", "/srv/site/app.conf"]).output == b"600 0\n"
    assert AuditEvent.objects.filter(action="file-edit", target_id=site.id).count() == 1

    # Someone changes the file in the container after the page was opened: the save is refused.
    page = get_ok(client, _files(site, "/srv/site/app.conf")).decode()
    digest = page.split('name="digest" value="')[1].split('"')[0]
    site.exec_run(["sh", "-c", "echo c=4 >> /srv/site/app.conf"])
    response = client.post(
        save, {"path": "/srv/site/app.conf", "digest": digest, "text": "my careful edit"}
    )
    assert response.status_code == 409
    assert "/srv/site/app.conf changed since you opened it" in text_of(response.content)
    assert "my careful edit" in response.content.decode()  # nothing the user typed is lost
    assert site.exec_run(["cat", "/srv/site/app.conf"]).output == b"a=1\nb=3\nc=4\n"


def test_who_may_read_and_write_a_containers_files(
    site, viewer: User, other_member: User, outsider: User, admin: User
) -> None:
    upload = f"/engines/local/containers/{site.id}/files/upload/?path=/srv/site"
    save = f"/engines/local/containers/{site.id}/files/save/"
    download = f"/engines/local/containers/{site.id}/files/download/?path=/srv/site/index.txt"
    looker = signed_in(viewer)  # may look at the team's containers, not change them
    page = get_ok(looker, _files(site, "/srv/site/index.txt")).decode()
    assert "hello" in page and "<textarea" not in page and "Upload" not in page
    note = SimpleUploadedFile("planted.txt", b"x")
    assert looker.post(upload, {"files": [note]}).status_code == 403
    saved = looker.post(save, {"path": "/srv/site/index.txt", "digest": "", "text": "x"})
    assert saved.status_code == 403
    for stranger in (other_member, outsider):
        client = signed_in(stranger)
        assert client.get(_files(site, "/srv/site")).status_code == 404
        assert client.get(download).status_code == 404
        assert client.post(upload, {"files": [note]}).status_code == 404
    assert site.exec_run(["cat", "/srv/site/index.txt"]).output == b"hello\n"
    assert site.exec_run(["test", "-e", "/srv/site/planted.txt"]).exit_code == 1
    refused = AuditEvent.objects.filter(action="file-download", outcome="refused")
    assert refused.count() == 2
    assert "index.txt" in text_of(get_ok(signed_in(admin), _files(site, "/srv/site")))


@pytest.mark.parametrize("path", ["../../etc/shadow", "/srv/../../etc/shadow", "etc", "/a\0b"])
def test_a_path_that_goes_up_or_is_relative_is_refused(site, member: User, path: str) -> None:
    response = signed_in(member).get(_files(site), {"path": path})
    assert response.status_code == 400
    assert "A path in the container" in text_of(response.content)
