"""Stats over time, on the real engine: the collector reads every running container (Dockboard's
and the CLI's), the pages show each person only theirs, an engine that goes away leaves a gap
and is read again when it answers, and readings roll up into minutes and hours."""

import itertools
import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import docker
import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.utils import timezone

from dashboard.engine import registry
from dashboard.models import Team
from labs import actions
from labs.launch import launch as launch_on_worker
from labs.library import import_template
from stats import lease, rollup, series
from stats.collector import Collector
from stats.models import HOUR, MINUTE, RAW, CollectorLease, ContainerSample, EngineSample
from tests.harness.accounts import signed_in
from tests.harness.engine_proxy import EngineProxy
from tests.pages import get_ok, text_of

pytestmark = pytest.mark.django_db(transaction=True)
BUSY = ["sh", "-c", "while :; do :; done"]


def collected(collector: Collector, times: int) -> None:
    for _ in range(times):
        collector.collect()
        time.sleep(1.05)  # rows are stamped in whole seconds


@pytest.fixture
def collector() -> Collector:
    return Collector()


def test_a_busy_containers_readings_reach_its_owner_alone(
    make_container: Callable,
    collector: Collector,
    member: User,
    other_member: User,
    outsider: User,
    admin: User,
) -> None:
    busy = make_container(BUSY, name="busy")
    make_container(["sleep", "600"], name="idle", init=True)
    cli = make_container(["sleep", "600"], name="cli", init=True, owner=None)
    collected(collector, 4)

    rows = ContainerSample.objects.filter(engine="local", container_id=busy.id, step=RAW)
    assert rows.count() >= 2
    assert max(rows.values_list("cpu", flat=True)) > 50  # a CPU's worth of a shell loop
    assert ContainerSample.objects.filter(container_id=cli.id).exists()  # the CLI's too
    engine_row = EngineSample.objects.filter(engine="local", step=RAW).latest("at")
    assert engine_row.containers >= 3 and engine_row.cpu > 50 and engine_row.memory_total > 0

    page = text_of(get_ok(signed_in(member), "/engines/local/stats/"))
    assert "busy-" in page and "idle-" in page and "cli-" not in page
    busy_cpu = re.search(r"busy-\S+ ([0-9.]+)%", page)
    assert busy_cpu and float(busy_cpu.group(1)) > 50, page[-600:]
    assert (
        "CPU over the last minutes: from"
        in get_ok(signed_in(member), "/engines/local/stats/").decode()
    )
    assert "cli-" in text_of(get_ok(signed_in(admin), "/engines/local/stats/"))

    chart = get_ok(signed_in(member), f"/engines/local/stats/containers/{busy.id[:12]}/?window=15m")
    data = json.loads(
        re.search(
            rb'<script id="series" type="application/json">(.*?)</script>', chart, re.S
        ).group(1)
    )
    assert len(data["t"]) >= 2 and max(v for v in data["cpu"] if v is not None) > 50
    assert re.search(r"CPU [0-9.]+% [0-9.]+% [0-9.]+%", text_of(chart))  # the text alternative

    for stranger in (other_member, outsider):
        assert busy.name not in text_of(signed_in(stranger).get("/engines/local/stats/").content)
        response = signed_in(stranger).get(f"/engines/local/stats/containers/{busy.id[:12]}/")
        assert response.status_code == 404
    assert signed_in(member).get("/engines/local/stats/engine/").status_code == 404
    assert "Stats of engine local" in text_of(
        get_ok(signed_in(admin), "/engines/local/stats/engine/")
    )


@pytest.fixture
def proxied_engine(db: None) -> Iterator[EngineProxy]:
    """An engine named ``flaky``: the real one, through a socket the test can take away."""
    proxy = EngineProxy()
    proxy.start()
    registry.add("flaky", proxy.address)
    yield proxy
    proxy.stop()
    registry.remove("flaky")


@override_settings(DOCKBOARD_STATS_INTERVAL=1.0)
def test_an_engine_that_goes_away_leaves_a_gap_then_is_read_again(
    make_container: Callable, collector: Collector, proxied_engine: EngineProxy
) -> None:
    running = make_container(["sleep", "600"], name="steady", init=True)
    collected(collector, 3)
    proxied_engine.stop()
    collected(collector, 3)  # the local engine is read all the same
    proxied_engine.start()
    collected(collector, 4)

    flaky = list(
        ContainerSample.objects.filter(engine="flaky", container_id=running.id)
        .order_by("at")
        .values_list("at", flat=True)
    )
    local = list(
        ContainerSample.objects.filter(engine="local", container_id=running.id)
        .order_by("at")
        .values_list("at", flat=True)
    )
    assert max(b - a for a, b in itertools.pairwise(flaky)) >= 5  # the gap
    assert max(b - a for a, b in itertools.pairwise(local)) <= 3  # no gap here
    assert flaky[-1] >= local[-1] - 2  # read again
    shown = series.container_series("flaky", running.id, series.WINDOWS["15m"], int(time.time()))
    assert None in shown["cpu"] and shown["cpu"][-1] is not None


def test_readings_roll_up_into_minutes_and_hours_and_age_out(settings) -> None:
    settings.DOCKBOARD_STATS_RAW_HOURS = 2
    hour = 1_800_000_000 // HOUR * HOUR
    fields = {"engine": "local", "container_id": "c" * 64, "memory_limit": 1000, "net_rx": 0,
              "net_tx": 0, "block_read": 0, "block_write": 0}  # fmt: skip
    ContainerSample.objects.bulk_create(
        ContainerSample(step=RAW, at=hour + s, cpu=s % 60, memory=100 + s, pids=s // 60, **fields)
        for s in range(0, 3 * 60, 5)  # three minutes of readings every 5 s
    )
    rollup.roll_up(hour + 3 * 60 + 1)
    minutes = ContainerSample.objects.filter(step=MINUTE).order_by("at")
    assert [(m.at - hour, m.cpu, m.memory, m.pids) for m in minutes] == [
        (0, 27.5, 128, 0), (60, 27.5, 188, 1), (120, 27.5, 248, 2),
    ]  # fmt: skip
    rollup.roll_up(hour + 3 * 60 + 1)  # again: nothing is counted twice
    assert ContainerSample.objects.filter(step=MINUTE).count() == 3

    rollup.roll_up(hour + 2 * HOUR + 10 * 60)  # the hour is over; its readings are too old
    hours = ContainerSample.objects.filter(step=HOUR)
    assert [(h.at, h.memory, h.pids) for h in hours] == [(hour, 188, 2)]
    assert not ContainerSample.objects.filter(step=RAW).exists()
    assert ContainerSample.objects.filter(step=MINUTE).count() == 3


def test_the_collector_leaves_out_nothing_it_cannot_read(
    engine: docker.DockerClient, collector: Collector
) -> None:
    """An engine's row is written even with no container running of ours."""
    collector.collect()
    assert EngineSample.objects.filter(engine="local").exists()


def test_the_roster_shows_each_learners_cpu_and_memory(
    small_lab_source: str,
    instructor: User,
    member: User,
    team: Team,
    lab_objects_removed: None,
    collector: Collector,
) -> None:
    version = import_template(small_lab_source, instructor)
    lab_class = actions.open_class(instructor, version, team, {})
    session = actions.start_session(member, lab_class)
    launch_on_worker(session.pk)
    collected(collector, 3)

    page = get_ok(signed_in(instructor), f"/classes/{lab_class.pk}/").decode()
    row = page[page.index(f'id="session-{session.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "CPU over the last minutes: from" in row and "Memory over the last minutes" in row
    assert re.search(r'data-stat="memory">[0-9.]+ (KiB|MiB)<', row)


def test_one_collector_holds_the_lease_until_it_lapses() -> None:
    """Two hosts running `make run` on one database: one collects, the other waits."""
    assert lease.held("host a", 30)
    assert not lease.held("host b", 30)
    assert lease.held("host a", 30)  # renewed by its holder
    CollectorLease.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert lease.held("host b", 30)
    assert not lease.held("host a", 30)
