"""Every page, tab, page 2 and websocket, for every role, over the engine as users have it (the
world of tests/harness/world.py: the CLI's containers in every state, odd images, a hundred
and more volumes and networks) and beside another installation with its reaper running; with
more than a page of audit rows, recordings and pulls. No 500, no traceback, nothing shown or
done across users or installations, nothing of the other installation's touched while our
reaper runs for a minute. The count of what was tried is printed at the end of the run."""

import time
import uuid

import docker
import pytest
from django.contrib.auth.models import User
from django.test import Client

from containers.tabs import TABS
from dashboard.models import AuditEvent, Team, TerminalRecording
from images.models import PullJob
from labs.models import LabSession
from tests.harness.accounts import join, session_cookie
from tests.harness.crawl import Findings, knock, paths, tried, visit
from tests.harness.installation import OtherInstallation
from tests.harness.world import World

pytestmark = [pytest.mark.crawl, pytest.mark.django_db(transaction=True)]

MANY = 101
REAPER_MINUTE = 60  # our reaper runs this long over the world before the final look


def _history(people: dict[str, User], team: Team) -> None:
    """More than a page of everything Dockboard keeps: the administrators' alone by name."""
    admin, member = people["administrator"], people["member"]
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=admin, actor_name="admin", action="stop", target_kind="container",
                   target_name=f"admins-audit-{n}")
        for n in range(MANY)
    )  # fmt: skip
    PullJob.objects.bulk_create(
        PullJob(reference=f"dockboard-test/{who}-pull:{n}", requested_by=user, state=state)
        for n in range(MANY)
        for who, user, state in [("admins", admin, "succeeded"), ("members", member, "failed")]
    )  # fmt: skip
    TerminalRecording.objects.bulk_create(
        TerminalRecording(user=user, team=team if user == member else None, owner_id=user.pk,
                          container_id="0" * 64, container_name=f"{who}-recording-{n}",
                          mode="exec", path=f"recordings/missing-{n}.cast")
        for n in range(MANY)
        for who, user in [("admins", admin), ("members", member)]
    )  # fmt: skip


def _container_names(engine: docker.DockerClient, ids: list[str]) -> list[str]:
    found = [engine.containers.get(i) for i in ids]
    return [c.name for c in found] + [c.id[:12] for c in found]


def _network_names(engine: docker.DockerClient, ids: list[str]) -> list[str]:
    return [engine.networks.get(i).name for i in ids]


@pytest.fixture
def people(
    admin: User, instructor: User, member: User, viewer: User, outsider: User, other_member: User
) -> dict[str, User]:
    return {
        "administrator": admin,
        "instructor": instructor,
        "member": member,
        "viewer": viewer,
        "no team": outsider,
        "other member": other_member,
    }


def _engine_state(engine: docker.DockerClient, world: World, other: OtherInstallation) -> dict:
    """What the SDK sees of everything no one but its owners may change."""
    ids = [*world.containers.values(), *other.containers.values(), *other.lab_containers]
    return {
        "containers": {i: engine.containers.get(i).status for i in ids},
        "volumes": {v.name for v in engine.volumes.list()} >= set(world.volumes),
        "networks": {n.id for n in engine.networks.list()} >= set(world.networks),
    }


def _stable(state: dict) -> dict:
    """Restarting and running alternate in a restart loop: both are "up"."""
    up = {"running", "restarting"}
    return {**state, "containers": {i: s in up for i, s in state["containers"].items()}}


ACTS = {
    "containers": ["stop", "kill", "pause", "unpause", "restart", "remove", "rename"],
    "volumes": ["remove"],
    "networks": ["remove"],
}


def _act(client: Client, world: World, other: OtherInstallation) -> int:
    """Every action on everything not the user's, and every prune: the count of POSTs."""
    targets = {
        "containers": [
            *world.containers.values(),
            *other.containers.values(),
            *other.lab_containers,
        ],
        "volumes": world.volumes[:3],
        "networks": world.networks[:3],
    }
    count = 0
    for kind, refs in targets.items():
        for ref in refs:
            for action in ACTS[kind]:
                data = {"action": action, "force": "1", "name": f"taken-{uuid.uuid4().hex[:6]}"}
                response = client.post(f"/engines/local/{kind}/{ref}/actions/", data)
                assert response.status_code < 500, (kind, ref, action)
                count += 1
        response = client.post(f"/engines/local/{kind}/prune/", {})
        assert response.status_code < 500, kind
        count += 1
    return count


def test_every_page_for_every_role_over_the_real_world(
    engine: docker.DockerClient,
    world: World,
    other: OtherInstallation,
    people: dict[str, User],
    team: Team,
    make_container,
    launched,
    start_reaper,
) -> None:
    started = time.monotonic()
    reaper = start_reaper()
    world.keep_states(engine)
    other.keep_running(engine)
    other_member = people["other member"]
    twin = join(User.objects.create_user("twin", id=other.member_id), team, "member")
    people["twin of the other's"] = twin
    mine = make_container(["sleep", "600"], name="mine")
    theirs = make_container(["sleep", "600"], name="theirs", owner=other_member)
    session: LabSession = launched()
    _history(people, team)
    before = _engine_state(engine, world, other)

    worlds = _container_names(engine, list(world.containers.values()))
    others = _container_names(engine, [*other.containers.values(), *other.lab_containers])
    world_names = [
        *worlds,
        *others,
        *world.volumes[:3],
        *world.volumes[-3:],
        *_network_names(engine, world.networks[:3]),
        "admins-audit-",
        "admins-pull:",
        "admins-recording-",
    ]
    hidden = {
        "administrator": [],
        "instructor": world_names,
        "viewer": world_names,
        "member": [*world_names, theirs.name, *_container_names(engine, [theirs.id])],
        "other member": [*world_names, mine.name, "members-pull:", "members-recording-"],
        "twin of the other's": [*world_names, mine.name, theirs.name],
        "no team": [*world_names, mine.name, theirs.name, "members-pull:", "members-recording-"],
    }
    container_refs = [
        *world.containers.values(),
        *other.containers.values(),
        *other.lab_containers,
        mine.id,
        theirs.id,
        world.containers["bind-mount"][:12],
        engine.containers.get(world.containers["odd.name_1"]).name,
    ]
    values = {
        "containers.ref": container_refs,
        "tab": [*TABS, "nothing"],
        "images.ref": [*world.images.values(), "sha256:" + "0" * 64],
        "name": [*world.volumes[:3], *world.volumes[-3:]],
        "networks.ref": [*world.networks[:2], "bridge", "host", "none"],
        "job_id": [str(j) for j in PullJob.objects.values_list("pk", flat=True)[:4]],
        "services.ref": ["x"],
        "node_id": ["x"],
        "token": ["x"],
        "team_id": [str(team.pk)],
        "user_id": [str(p.pk) for p in people.values()],
        "slug": ["docker-engine", session.lab_class.version.lab.slug],
        "number": ["1"],
        "class_id": [str(session.lab_class_id)],
        "session_id": [str(session.pk)],
        "step": ["1", "2"],
        "recording_id": [
            str(r) for r in TerminalRecording.objects.values_list("pk", flat=True)[:3]
        ],
    }
    every = paths(values, skip=["accounts/logout/"])
    findings = Findings()
    for role, user in people.items():
        found = visit(user, every, hidden[role])
        findings.add(found)
        assert found.shown >= 20, role  # the walk saw pages, not only refusals
        assert not found.errors and not found.tracebacks, (role, found.errors, found.tracebacks)
        assert not found.leaks, (role, found.leaks[:20])

    # The other installation's people, on their own installation, over the same engine.
    other_paths = paths(
        {**values, "containers.ref": container_refs, "team_id": ["1"], "user_id": ["1"],
         "class_id": [str(other.lab_class)], "session_id": [str(other.session)],
         "job_id": [], "recording_id": [], "slug": ["other-installation"]},
        skip=["accounts/logout/"],
    )  # fmt: skip
    ours = _container_names(engine, [mine.id, theirs.id, *_our_lab_containers(engine, session)])
    their_sockets = [
        "/ws/containers/live/",
        "/ws/images/live/",
        f"/ws/classes/{other.lab_class}/roster/",
        f"/ws/sessions/{other.session}/status/",
        *[
            f"/ws/containers/{ref}/{mode}/"
            for ref in [mine.id, theirs.id, *world.containers.values(), *other.containers.values()]
            for mode in ("attach", "exec")
        ],
    ]
    sockets = 0
    for user_id in (other.member_id, other.member_id + 1):
        result = other.visit(
            user_id, other_paths, their_sockets, [*ours, *worlds, *world.volumes[:3]]
        )
        found, knocked = (
            Findings.from_dict(result["pages"]),
            Findings.from_dict(result["websockets"]),
        )
        findings.add(found)
        sockets += knocked.tried
        assert found.shown >= 20, user_id
        assert not found.errors and not found.tracebacks, (user_id, found.errors[:20])
        assert not found.leaks, (user_id, found.leaks[:20])
        assert not knocked.leaks, (user_id, knocked.leaks[:20])

    # Acting on what is not theirs: every action, every prune, refused; the engine unchanged.
    acts = 0
    for role, user in people.items():
        if role != "administrator":
            client = Client(raise_request_exception=False)
            client.force_login(user)
            acts += _act(client, world, other)

    # Websockets: every route, on everything, for everyone.
    streams = [
        "/ws/containers/live/",
        "/ws/images/live/",
        f"/ws/classes/{session.lab_class_id}/roster/",
        f"/ws/sessions/{session.pk}/status/",
        *[f"/ws/images/pulls/{j}/" for j in values["job_id"]],
    ]
    terminals = [
        f"/ws/containers/{ref}/{mode}/"
        for ref in [*world.containers.values(), *other.containers.values(), mine.id, theirs.id]
        for mode in ("attach", "exec")
    ]
    for role, user in people.items():
        cookie = session_cookie(user)
        for path in [*streams, *terminals]:
            kept, leaked = knock(path, cookie, hidden[role])
            sockets += 1
            assert not leaked, (role, path, leaked)
            if (
                role != "administrator"
                and path in terminals
                and not {mine.id, theirs.id} & {*path.split("/")}
            ):
                assert not kept, (role, path)  # the CLI's and the other installation's

    time.sleep(max(0.0, REAPER_MINUTE - (time.monotonic() - started)))
    assert reaper.poll() is None
    after = _engine_state(engine, world, other)
    assert _stable(after) == _stable(before), "someone's objects were changed across users"
    assert all(
        after["containers"][i] in {"running", "restarting"}
        for i in [other.containers["running"], *other.lab_containers]
    ), "the other installation's containers were stopped"
    tried.update(
        pages=findings.tried, acts=acts, websockets=sockets, roles=len(people) + 2,
        states=len(world.containers) + len(world.images) + len(world.volumes) + len(world.networks),
    )  # fmt: skip


def _our_lab_containers(engine: docker.DockerClient, session: LabSession) -> list[str]:
    from dashboard.policy import labels
    from dashboard.policy.ownership import installation_id

    selector = [f"{labels.LAB_SESSION}={session.pk}", f"{labels.INSTALLATION}={installation_id()}"]
    return [c.id for c in engine.containers.list(filters={"label": selector})]
