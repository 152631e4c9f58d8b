"""`docker volume` from the pages: every action checked against the engine, for the volume's
owner, another member of the team and an outsider."""

import contextlib
import re
from collections.abc import Iterator

import docker
import pytest
from django.contrib.auth.models import User
from django.test import Client

from dashboard.models import AuditEvent, Team
from dashboard.policy import labels
from dashboard.policy.ownership import Kind
from tests.harness import owned
from tests.harness.accounts import signed_in
from tests.harness.run import LABEL_KEY, RUN_ID, TEST_LABEL
from tests.pages import get_ok, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def volumes_removed(engine: docker.DockerClient) -> Iterator[None]:
    yield
    for container in engine.containers.list(all=True, filters={"label": TEST_LABEL}):
        container.remove(force=True)
    for volume in engine.volumes.list(filters={"label": TEST_LABEL}):
        with contextlib.suppress(docker.errors.NotFound):
            volume.remove(force=True)


def create(client: Client, team: Team | None, name: str, **fields: str):
    data = {"team": team.pk if team else "", "name": name, "labels": TEST_LABEL, **fields}
    return client.post("/engines/local/volumes/new/", {**data, "create": "1"}, follow=True)


def create_mounting(client: Client, team: Team, image: str, name: str, volume: str):
    """A container created from the form, with ``volume`` mounted at /data."""
    return client.post(
        "/engines/local/containers/new/",
        {"image": image, "name": name, "mounts": f"{volume}:/data",
         "labels": TEST_LABEL, "team": team.pk, "create": "1"},
    )  # fmt: skip


def volume_name(suffix: str) -> str:
    return f"vol-{suffix}-{RUN_ID}"


def test_member_creates_a_volume_of_their_own(
    member_client: Client, engine: docker.DockerClient, team: Team, member: User
) -> None:
    name = volume_name("own")
    response = create(member_client, team, name)
    assert response.status_code == 200
    assert f"docker volume create --label {TEST_LABEL} {name}" in text_of(response.content)
    volume = engine.volumes.get(name)
    assert volume.attrs["Driver"] == "local"
    assert volume.attrs["Labels"][labels.OWNER] == str(member.pk)
    assert volume.attrs["Labels"][labels.TEAM] == str(team.pk)
    assert volume.attrs["Labels"][LABEL_KEY] == RUN_ID


def test_driver_options_are_for_administrators(
    member_client: Client, admin_client: Client, engine: docker.DockerClient, team: Team
) -> None:
    options = "type=tmpfs\ndevice=tmpfs\no=size=1m"
    refused = create(member_client, team, volume_name("opts"), driver_options=options)
    assert refused.status_code == 400
    assert "Driver options are for administrators." in text_of(refused.content)
    assert engine.volumes.list(filters={"name": volume_name("opts")}) == []
    row = AuditEvent.objects.get(action="volume-create", target_name=volume_name("opts"))
    assert (row.outcome, row.reason) == ("refused", "Driver options are for administrators.")

    create(admin_client, None, volume_name("opts"), driver_options=options)
    volume = engine.volumes.get(volume_name("opts"))
    assert volume.attrs["Options"] == {"type": "tmpfs", "device": "tmpfs", "o": "size=1m"}


def test_a_volume_is_seen_by_its_owner_alone(
    member_client: Client, other_member: User, outsider: User, team: Team
) -> None:
    name = volume_name("seen")
    create(member_client, team, name)
    assert name in text_of(get_ok(member_client, "/engines/local/volumes/"))
    assert f"docker volume inspect {name}" in text_of(
        get_ok(member_client, f"/engines/local/volumes/{name}/")
    )
    for user in (other_member, outsider):
        client = signed_in(user)
        assert name not in text_of(get_ok(client, "/engines/local/volumes/"))
        assert client.get(f"/engines/local/volumes/{name}/").status_code == 404
        assert (
            client.post(f"/engines/local/volumes/{name}/actions/", {"action": "remove"}).status_code
            == 302
        )
    assert get_ok(member_client, f"/engines/local/volumes/{name}/")


def test_a_volume_in_use_is_kept_and_the_message_names_the_container(
    member_client: Client, engine: docker.DockerClient, team: Team, busybox: str, member: User
) -> None:
    name = volume_name("busy")
    create(member_client, team, name)
    owner = {LABEL_KEY: RUN_ID, **owned.labels_for(member, team)}
    holder = engine.containers.create(
        busybox, "true", name=f"holder-{RUN_ID}", volumes=[f"{name}:/data"], labels=owner
    )
    owned.admitted(Kind.CONTAINER, holder.id, member, team)
    response = member_client.post(
        f"/engines/local/volumes/{name}/actions/", {"action": "remove"}, follow=True
    )
    assert f"in use by holder-{RUN_ID}" in text_of(response.content)
    assert engine.volumes.get(name)
    assert f"holder-{RUN_ID}" in text_of(get_ok(member_client, f"/engines/local/volumes/{name}/"))

    holder.remove()
    response = member_client.post(
        f"/engines/local/volumes/{name}/actions/", {"action": "remove"}, follow=True
    )
    assert f"docker volume rm {name}" in text_of(response.content)
    assert engine.volumes.list(filters={"name": name}) == []


def test_prune_removes_exactly_the_preview(
    member_client: Client, engine: docker.DockerClient, team: Team, busybox: str, member: User
) -> None:
    unused, used = volume_name("unused"), volume_name("used")
    create(member_client, team, unused)
    create(member_client, team, used)
    engine.volumes.create(volume_name("cli"), labels={LABEL_KEY: RUN_ID})  # not theirs
    owner = {LABEL_KEY: RUN_ID, **owned.labels_for(member, team)}
    holder = engine.containers.create(busybox, "true", volumes=[f"{used}:/data"], labels=owner)
    owned.admitted(Kind.CONTAINER, holder.id, member, team)

    preview = text_of(get_ok(member_client, "/engines/local/volumes/prune/"))
    assert unused in preview
    assert used not in preview and volume_name("cli") not in preview
    done = member_client.post("/engines/local/volumes/prune/", {"name": [unused]})
    assert "Removed 1 volume." in text_of(done.content)
    remaining = {v.name for v in engine.volumes.list(filters={"label": TEST_LABEL})}
    assert remaining == {used, volume_name("cli")}


def test_sizes_come_on_demand(
    member_client: Client, engine: docker.DockerClient, team: Team, busybox: str, member: User
) -> None:
    name = volume_name("sized")
    create(member_client, team, name)
    engine.containers.run(
        busybox,
        ["sh", "-c", "head -c 3000000 /dev/zero > /data/blob"],
        volumes=[f"{name}:/data"],
        labels={LABEL_KEY: RUN_ID},
        remove=True,
    )
    plain = get_ok(member_client, "/engines/local/volumes/").decode()
    assert "docker system df" not in plain
    sized = text_of(get_ok(member_client, "/engines/local/volumes/?sizes=on"))
    assert "docker volume ls && docker system df -v" in sized
    assert f"{name} local" in sized and sized.endswith("— 2.861 MiB")


def test_a_member_mounts_their_volume_from_the_create_form(
    member_client: Client, engine: docker.DockerClient, team: Team, busybox: str
) -> None:
    name = volume_name("mounted")
    create(member_client, team, name)
    create(member_client, team, volume_name("second"))
    form = text_of(get_ok(member_client, "/engines/local/containers/new/"))
    assert f"Your volumes (mount one as NAME:/path): {name} , {volume_name('second')}" in form
    response = create_mounting(member_client, team, busybox, f"mounter-{RUN_ID}", name)
    assert response.status_code == 302
    mounts = engine.containers.get(f"mounter-{RUN_ID}").attrs["Mounts"]
    assert [(m["Type"], m["Name"], m["Destination"]) for m in mounts] == [("volume", name, "/data")]


def test_a_volume_made_again_behind_dockboards_back_is_nobodys_but_the_administrators(
    member_client: Client, engine: docker.DockerClient, team: Team, busybox: str
) -> None:
    """A volume is known by its name alone. Removed and made again under that name, with the
    owner, team and installation labels Dockboard wrote on the first (as the CLI, a compose
    file or another installation may), it is another volume: the member's record, and the
    mark it keeps, were of the first. Writing into a volume leaves its mark as it was."""
    name = volume_name("again")
    create(member_client, team, name)
    engine.containers.run(
        busybox, ["sh", "-c", "echo x > /data/file"], volumes=[f"{name}:/data"],
        labels={LABEL_KEY: RUN_ID}, remove=True,
    )  # fmt: skip
    assert name in text_of(get_ok(member_client, "/engines/local/volumes/"))
    copied = engine.volumes.get(name).attrs["Labels"]
    assert copied.pop(labels.VOLUME_MARK)
    engine.volumes.get(name).remove()
    engine.volumes.create(name, labels=copied)
    assert name not in text_of(get_ok(member_client, "/engines/local/volumes/"))
    assert member_client.get(f"/engines/local/volumes/{name}/").status_code == 404
    member_client.post(f"/engines/local/volumes/{name}/actions/", {"action": "remove"})
    engine.volumes.get(name)  # still there
    response = create_mounting(member_client, team, busybox, f"taker-{RUN_ID}", name)
    assert response.status_code == 400
    assert f"Volume {name} is not yours to use." in text_of(response.content)


def test_volumes_count_against_the_members_and_the_teams_quota(
    member: User, other_member: User, team: Team, busybox: str, engine: docker.DockerClient
) -> None:
    Team.objects.filter(pk=team.pk).update(member_volumes=2, team_volumes=3)
    member_client, other_client = signed_in(member), signed_in(other_member)
    first, second, third = (volume_name(f"q{n}") for n in range(3))
    for name in (first, second):
        create(member_client, team, name)
        assert engine.volumes.get(name).attrs["Labels"][labels.OWNER] == str(member.pk)

    refused = text_of(create(member_client, team, third).content)
    assert f"Your quota in team {team.name}: 2 of 2 volumes are in use." in refused
    mounting = create_mounting(member_client, team, busybox, f"mounts-{RUN_ID}", third)
    assert "2 of 2 volumes are in use." in text_of(mounting.content)
    assert not engine.volumes.list(filters={"name": third})
    quota_row = text_of(get_ok(member_client, f"/teams/{team.pk}/"))
    assert "You 0 / 100 0 B / 100 GiB 0 / 100 2 / 2" in " ".join(quota_row.split()), re.findall(
        r"You .{60}", quota_row
    )

    create(other_client, team, volume_name("other"))  # the team's third
    refused = text_of(create(other_client, team, volume_name("other2")).content)
    assert f"Team {team.name}: 3 of 3 volumes are in use." in refused

    engine.volumes.get(first).remove()  # behind Dockboard's back: the ledger follows the engine
    create(member_client, team, third)
    assert engine.volumes.get(third).attrs["Labels"][labels.OWNER] == str(member.pk)
