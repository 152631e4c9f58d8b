"""The image list, detail, tag, remove and prune, against the real engine."""

import contextlib

import docker
import pytest
from django.test import Client

from dashboard.models import AuditEvent
from tests.harness.accounts import signed_in
from tests.harness.images import build_busybox_image
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import get_ok, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_image(engine: docker.DockerClient):
    """A freshly built image with its own tag, removed afterwards."""
    reference = f"dockboard-test/own:{RUN_ID}"
    image_id = build_busybox_image(engine, reference, {LABEL_KEY: RUN_ID, "purpose": "own"})
    yield image_id, reference
    with contextlib.suppress(docker.errors.ImageNotFound):
        engine.images.remove(image_id, force=True)


def test_list_shows_one_row_per_tag(member_client: Client, engine, own_image) -> None:
    image_id, _reference = own_image
    engine.images.get(image_id).tag("dockboard-test/own", f"second-{RUN_ID}")
    text = text_of(get_ok(member_client, f"/engines/local/images/?q={RUN_ID}"))
    assert f"dockboard-test/own {RUN_ID} {image_id[7:19]}" in text
    assert f"dockboard-test/own second-{RUN_ID} {image_id[7:19]}" in text
    count = len(engine.api.images())  # this image may be the engine's only one
    listed = text_of(get_ok(member_client, "/engines/local/images/"))
    assert f"{count} image{'s' if count != 1 else ''} ·" in listed


def test_filter_by_id_and_dangling(member_client: Client, engine, own_image) -> None:
    image_id, _reference = own_image
    assert image_id[7:19] in text_of(
        get_ok(member_client, f"/engines/local/images/?q={image_id[7:15]}")
    )
    dangling_only = text_of(get_ok(member_client, "/engines/local/images/?dangling=on"))
    assert image_id[7:19] not in dangling_only


def test_detail_shows_layers_and_the_containers_using_it(
    member_client: Client, engine, busybox: str, make_container
) -> None:
    container = make_container("sleep 600", name="user-of-image")
    image = engine.images.get(busybox)
    text = text_of(get_ok(member_client, f"/engines/local/images/{image.id}/"))
    assert image.id in text and busybox in text
    assert "read-only layers" in text or "read-only layer" in text
    assert "/bin/busybox --install -s /bin" in text  # the history's RUN step
    assert container.name in text


def test_tag_then_list_shows_both(admin_client: Client, engine, own_image) -> None:
    image_id, _reference = own_image
    response = admin_client.post(
        f"/engines/local/images/{image_id}/actions/",
        {"action": "tag", "target": f"dockboard-test/retagged:{RUN_ID}"},
        follow=True,
    )
    assert f"docker tag {image_id[7:19]} dockboard-test/retagged:{RUN_ID}" in text_of(
        response.content
    )
    assert f"dockboard-test/retagged:{RUN_ID}" in engine.images.get(image_id).tags
    listed = text_of(get_ok(admin_client, f"/engines/local/images/?q={RUN_ID}"))
    assert (
        f"dockboard-test/retagged {RUN_ID}" in listed and f"dockboard-test/own {RUN_ID}" in listed
    )


def test_bad_tag_is_refused(member_client: Client, own_image) -> None:
    image_id, _reference = own_image
    response = member_client.post(
        f"/engines/local/images/{image_id}/actions/", {"action": "tag", "target": "Bad:Tag"}
    )
    assert response.status_code == 400
    assert "must be lowercase" in text_of(response.content)


def test_remove_conflict_names_the_container(
    admin_client: Client, engine, own_image, make_container
) -> None:
    image_id, reference = own_image
    container = engine.containers.create(
        reference, "true", labels={LABEL_KEY: RUN_ID}, name=f"holder-{RUN_ID}"
    )
    try:
        response = admin_client.post(
            f"/engines/local/images/{image_id}/actions/", {"action": "remove"}, follow=True
        )
        text = text_of(response.content)
        assert f"holder-{RUN_ID}" in text
        engine.images.get(image_id)  # still there
    finally:
        container.remove(force=True)
    response = admin_client.post(
        f"/engines/local/images/{image_id}/actions/",
        {"action": "remove", "name": reference},
        follow=True,
    )
    assert f"docker rmi {reference}" in text_of(response.content)
    with pytest.raises(docker.errors.ImageNotFound):
        engine.images.get(image_id)


def test_prune_preview_equals_what_is_removed(admin_client: Client, engine) -> None:
    reference = f"dockboard-test/dangle:{RUN_ID}"
    old = build_busybox_image(engine, reference, {LABEL_KEY: RUN_ID, "generation": "1"})
    build_busybox_image(engine, reference, {LABEL_KEY: RUN_ID, "generation": "2"})  # old dangles
    label = f"{LABEL_KEY}={RUN_ID}"  # only this run's images: the tests touch nothing else
    ours = {"dangling": True, "label": label}
    preview = get_ok(admin_client, f"/engines/local/images/prune/?label={label}").decode()
    shown = {line.split("</code>")[0] for line in preview.split("<li><code>")[1:]}
    assert shown == {i.id for i in engine.images.list(filters=ours)} and old in shown
    done = text_of(admin_client.post("/engines/local/images/prune/", {"label": label}).content)
    assert f"docker image prune -f --filter label={label}" in done
    for image_id in shown:
        assert image_id in done
    assert not engine.images.list(filters=ours)
    engine.images.remove(reference, force=True)


def test_the_sorted_column_says_so_to_screen_readers(member_client: Client, busybox: str) -> None:
    newest_first = member_client.get("/engines/local/images/").content.decode()
    assert newest_first.count("aria-sort=") == 1
    assert '<th scope="col" aria-sort="descending"><a' in newest_first
    by_tag = member_client.get("/engines/local/images/?sort=tag").content.decode()
    assert by_tag.count('aria-sort="ascending"') == 1 and "sort=-tag" in by_tag


def test_an_instructor_touches_only_the_names_the_allow_list_holds(
    instructor, engine: docker.DockerClient, registry: str, own_image
) -> None:
    """One image, two tags: one the team's allow-list names, one it does not."""
    image_id, secret = own_image  # dockboard-test/own:RUN_ID, outside the team's list
    allowed = f"{registry}/dockboard-test/shared:{RUN_ID}"
    engine.images.get(image_id).tag(allowed)
    client = signed_in(instructor)

    response = client.post(  # another name the list holds, for an image it holds in part
        f"/engines/local/images/{image_id}/actions/",
        {"action": "tag", "target": f"{allowed}-copy"},
        follow=True,
    )
    assert "Only administrators and the instructors" in text_of(response.content)
    refused = client.post(
        f"/engines/local/images/{image_id}/actions/", {"action": "remove", "name": secret}
    )
    assert refused.status_code == 302
    assert secret in engine.images.get(image_id).tags

    for force in ({}, {"force": "on"}):
        engine.images.get(image_id).tag(allowed)
        response = client.post(
            f"/engines/local/images/{image_id}/actions/", {"action": "remove", **force}, follow=True
        )
        assert f"Untagged {allowed}; {secret} is not on your team's allow-list" in text_of(
            response.content
        )
        assert engine.images.get(image_id).tags == [secret]
    assert AuditEvent.objects.filter(actor=instructor, outcome="refused").count() == 2

    engine.images.get(image_id).tag(allowed)
    engine.images.remove(secret)  # every name is now on the list: the id removes the image
    client.post(f"/engines/local/images/{image_id}/actions/", {"action": "remove"})
    with pytest.raises(docker.errors.ImageNotFound):
        engine.images.get(image_id)
