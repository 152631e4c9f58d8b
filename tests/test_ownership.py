"""Who owns what is Dockboard's record, never a label: images, the CLI and other installations
write ``dockboard.*`` labels too, and none of them gives anyone a right."""

import contextlib
import re
import time
import uuid

import docker
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from dashboard.models import AuditEvent, Installation, OwnershipRecord, Team
from dashboard.policy import adoption, labels
from dashboard.policy.ownership import Kind, installation_id
from labs import reaper as reaper_module
from tests.harness.accounts import join, signed_in
from tests.harness.images import build_busybox_image
from tests.harness.installation import OtherInstallation
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import text_of
from tests.terminal_client import TerminalClient

pytestmark = pytest.mark.django_db(transaction=True)


def forged(member: User, team: Team, **more: str) -> dict[str, str]:
    """Labels that claim the member's ownership in the team, as anyone can write them."""
    return {LABEL_KEY: RUN_ID, labels.OWNER: str(member.pk), labels.TEAM: str(team.pk), **more}


@pytest.fixture
def labelled_image(engine: docker.DockerClient, member: User, team: Team):
    """An image built by anyone, whose labels claim the member's ownership and a lab session."""
    reference = f"dockboard-test/claims:{RUN_ID}"
    claims = forged(member, team, **{labels.LAB_SESSION: "424242", "dockboard.anything": "x"})
    image_id = build_busybox_image(engine, reference, claims)
    yield reference
    for container in engine.containers.list(all=True, filters={"ancestor": image_id}):
        container.remove(force=True)
    with contextlib.suppress(docker.errors.ImageNotFound):
        engine.images.remove(image_id, force=True)


def _list_rows(user: User) -> dict[str, str]:
    """The container list's rows, by container name, as text."""
    page = signed_in(user).get("/engines/local/containers/").content.decode()
    found = re.findall(
        r'<tr id="row-\w+" data-id="\w+" data-name="([^"]+)"(.*?)</tr>', page, re.DOTALL
    )
    assert found
    return {name: text_of(row.encode()) for name, row in found}


def shown_to(user: User, container) -> list[int]:
    """What the user gets: the list's rows, the page, a tab."""
    client = signed_in(user)
    listed = container.name in text_of(client.get("/engines/local/containers/").content)
    return [
        int(listed),
        client.get(f"/engines/local/containers/{container.id}/").status_code,
        client.get(f"/engines/local/containers/{container.id}/tabs/inspect/").status_code,
    ]


@pytest.mark.parametrize("made_by", ["cli-labels", "image-labels", "other-installation"])
def test_labels_alone_give_no_one_a_container(
    engine: docker.DockerClient,
    busybox: str,
    labelled_image: str,
    made_by: str,
    member: User,
    instructor: User,
    viewer: User,
    admin: User,
    team: Team,
) -> None:
    if made_by == "cli-labels":
        container = engine.containers.create(busybox, "sleep 600", labels=forged(member, team))
    elif made_by == "image-labels":
        container = engine.containers.create(labelled_image, "sleep 600")
    else:  # another Dockboard on this engine: its ids repeat ours
        other = forged(member, team, **{labels.INSTALLATION: str(uuid.uuid4())})
        container = engine.containers.create(busybox, "sleep 600", labels=other)
    assert container.labels[labels.OWNER] == str(member.pk)
    for user in (member, instructor, viewer):
        assert shown_to(user, container) == [0, 404, 404], user
    assert shown_to(admin, container) == [1, 200, 200]
    response = signed_in(member).post(
        f"/engines/local/containers/{container.id}/actions/", {"action": "remove", "force": "on"}
    )
    assert response.status_code == 404
    engine.containers.get(container.id)  # still there


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["attach", "exec"])
async def test_no_terminal_opens_on_a_container_that_only_claims_to_be_theirs(
    engine: docker.DockerClient, labelled_image: str, cookie: bytes, kind: str
) -> None:
    container = engine.containers.run(labelled_image, "sh", tty=True, stdin_open=True, detach=True)
    client = TerminalClient(f"/ws/containers/{container.id}/{kind}/", cookie)
    assert not await client.connect()
    assert not engine.api.inspect_container(container.id)["ExecIDs"]


def test_a_create_writes_every_dockboard_key_the_image_carries(
    admin_client: Client, engine: docker.DockerClient, labelled_image: str, admin: User
) -> None:
    """An administrator's "No team" container from an image that claims a member's ownership
    and a lab session: nothing is inherited."""
    name = f"from-claims-{RUN_ID}"
    admin_client.post(
        "/engines/local/containers/new/",
        {"image": labelled_image, "name": name, "labels": f"{LABEL_KEY}={RUN_ID}", "create": "1"},
    )
    made = engine.containers.get(name).labels
    assert made[labels.OWNER] == str(admin.pk) and made[labels.TEAM] == ""
    assert made[labels.LAB_SESSION] == "" and made["dockboard.anything"] == ""
    assert made[labels.INSTALLATION] == installation_id()
    record = OwnershipRecord.objects.get(object_id=engine.containers.get(name).id)
    assert (record.owner_id, record.team_id, record.lab_session) == (admin.pk, None, "")


def test_a_committed_image_carries_no_ownership(
    member_client: Client,
    engine: docker.DockerClient,
    make_container,
    registry: str,
    member: User,
    instructor: User,
    team: Team,
) -> None:
    """The member commits; a container made from the image with the CLI is nobody's but the
    administrators', and the image's record says whose it is."""
    target = f"{registry}/dockboard-test/committed-owner-{RUN_ID}:v1"
    container = make_container("sleep 600", init=True)
    member_client.post(
        f"/engines/local/containers/{container.id}/commit/",
        {"repository": target, "message": "", "author": "", "changes": ""},
    )
    image = engine.images.get(target)
    try:
        carried = image.attrs["Config"]["Labels"]
        assert {v for k, v in carried.items() if k.startswith("dockboard.")} == {""}
        record = OwnershipRecord.objects.get(kind="image", object_id=image.id)
        assert (record.owner_id, record.team_id) == (member.pk, team.pk)
        from_image = engine.containers.create(target, "sleep 600", labels={LABEL_KEY: RUN_ID})
        for user in (member, instructor):
            assert shown_to(user, from_image) == [0, 404, 404]
    finally:
        engine.images.remove(image.id, force=True)


@pytest.mark.parametrize(
    "change",
    [
        "LABEL a=1 dockboard.lab.session=424242",
        'LABEL a=1 "dockboard.owner"=2',
        "LABEL dockboard.team 5",
        "LABEL a=1 Dockboard.Team=5",
        "label b=2 dockboard.expires=1",
        "LABEL a='1 dockboard.x=2",
    ],
)
def test_every_pair_of_a_label_change_is_checked(
    member_client: Client, engine: docker.DockerClient, make_container, registry: str, change: str
) -> None:
    target = f"{registry}/dockboard-test/label-pairs-{RUN_ID}:v1"
    container = make_container("sleep 600", init=True)
    response = member_client.post(
        f"/engines/local/containers/{container.id}/commit/",
        {"repository": target, "message": "", "author": "", "changes": change},
    )
    assert response.status_code == 400
    with pytest.raises(docker.errors.ImageNotFound):
        engine.images.get(target)


def test_a_second_installation_on_the_engine_shares_nothing_with_this_one(
    launched,
    engine: docker.DockerClient,
    other: OtherInstallation,
    team: Team,
    admin: User,
) -> None:
    """Both run on one engine, and their user ids repeat: the other's member (the same id as
    one of ours) and its reaper, running all session, see and touch nothing of ours, nor we
    of theirs."""
    other.keep_running(engine)
    twin = join(User.objects.create_user("twin", id=other.member_id), team, "member")
    session = launched(twin)  # our learner's lab session, running
    selector = [f"{labels.LAB_SESSION}={session.pk}", f"{labels.INSTALLATION}={installation_id()}"]
    ours = {c.id for c in engine.containers.list(filters={"label": selector})}
    assert ours
    theirs = engine.containers.get(other.containers["running"])
    assert theirs.labels[labels.OWNER] == str(twin.pk)  # the same id as our learner's
    assert theirs.labels[labels.INSTALLATION] != installation_id()
    time.sleep(5)  # five passes of its reaper over the engine
    running = {c.id for c in engine.containers.list()}
    assert ours <= running, "the other installation's reaper removed our learner's session"
    assert shown_to(twin, theirs) == [0, 404, 404]
    assert shown_to(admin, theirs)[1:] == [200, 200]  # the administrators' alone
    rows = _list_rows(admin)  # marked as the other's; our own are not
    assert "another installation's" in rows[theirs.name]
    assert all(
        "another installation's" not in rows[c.name] for c in map(engine.containers.get, ours)
    )
    engines_page = text_of(signed_in(admin).get("/engines/").content)
    assert f"This installation is {installation_id()}" in engines_page
    reaper_module.reap()  # ours: it leaves theirs alone
    assert {theirs.id, *other.lab_containers} <= {c.id for c in engine.containers.list()}


def test_what_the_release_before_made_is_adopted_and_nothing_later(
    engine: docker.DockerClient, busybox: str, member: User, team: Team
) -> None:
    """The release before wrote owner and team labels and kept no record of volumes, networks
    or team-less containers: what it made before the upgrade is recorded as its labels say.
    The same labels on anything made after the upgrade, or for an account made after the
    object, give nobody anything."""
    old = {LABEL_KEY: RUN_ID, labels.OWNER: str(member.pk), labels.TEAM: str(team.pk)}
    later_account = member.pk + 1000
    name = f"old-{RUN_ID}"
    made = {
        "container": engine.containers.create(busybox, "true", labels=old),
        "volume": engine.volumes.create(name, labels=old),
        "network": engine.networks.create(name, labels=old),
        "for a later account": engine.containers.create(
            busybox, "true", labels={**old, labels.OWNER: str(later_account)}
        ),
        "by another installation": engine.containers.create(busybox, "true", labels=old),
    }
    # The release before's log of its creates (the other installation's are in its own log).
    for what, action in (("container", "create"), ("for a later account", "create")):
        AuditEvent.objects.create(action=action, target_kind="container", target_id=made[what].id)
    AuditEvent.objects.create(action="volume-create", target_kind="volume", target_name=name)
    AuditEvent.objects.create(action="network-create", target_kind="network", target_name=name)
    try:
        time.sleep(1.1)  # the engine's times are to the second, for volumes
        Installation.objects.get_or_create(pk=1)
        Installation.objects.filter(pk=1).update(created_at=timezone.now())  # the upgrade
        time.sleep(1.1)
        made["after the upgrade"] = engine.containers.create(busybox, "true", labels=old)
        AuditEvent.objects.create(
            action="create", target_kind="container", target_id=made["after the upgrade"].id
        )
        User.objects.create_user("late", id=later_account)
        adoption.adopt_everywhere()
        adoption.adopt_everywhere()  # again, as every hour: nothing changes
        kinds = {"volume": Kind.VOLUME, "network": Kind.NETWORK}
        recorded = {
            what: OwnershipRecord.objects.filter(
                kind=kinds.get(what, Kind.CONTAINER),
                object_id=thing.name if what == "volume" else thing.id,
            ).values_list("owner_id", "team_id")
            for what, thing in made.items()
        }
        assert {what: list(rows) for what, rows in recorded.items()} == {
            "container": [(member.pk, team.pk)],
            "volume": [(member.pk, team.pk)],
            "network": [(member.pk, team.pk)],
            "for a later account": [],
            "by another installation": [],
            "after the upgrade": [],
        }
        assert shown_to(member, made["container"]) == [1, 200, 200]
        assert shown_to(member, made["after the upgrade"]) == [0, 404, 404]
        page = text_of(signed_in(member).get("/engines/local/volumes/").content)
        assert name in page
    finally:
        for container in engine.containers.list(
            all=True, filters={"label": f"{LABEL_KEY}={RUN_ID}"}
        ):
            container.remove(force=True)
        made["volume"].remove(force=True)
        made["network"].remove()
