"""The overview shows what the engine reports: versions, host facts, counts, `docker system df`."""

import re

import docker
import pytest
from django.test import Client

from dashboard.notation.units import format_cpus
from dashboard.templatetags.docker_format import binary_size
from dashboard.web.overview import disk_usage_rows
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import get_ok, marked, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_containers(engine: docker.DockerClient, busybox: str) -> list:
    labels = {LABEL_KEY: RUN_ID}
    running = engine.containers.run(busybox, "sleep 600", detach=True, labels=labels)
    stopped = engine.containers.create(busybox, "true", labels=labels)
    yield [running, stopped]
    for container in (running, stopped):
        container.remove(force=True)


def test_overview_figures_equal_the_engine(
    admin_client: Client, engine: docker.DockerClient, some_containers: list
) -> None:
    html = get_ok(admin_client, "/engines/local/")
    version, info, df = engine.version(), engine.info(), engine.df()

    facts = marked(html, "data-fact")
    assert facts["version"] == version["Version"]
    assert facts["api-version"] == version["ApiVersion"]
    assert facts["cpus"] == str(info["NCPU"])
    assert facts["kernel"] == info["KernelVersion"]
    assert facts["storage-driver"] == info["Driver"]
    assert facts["memory"] == binary_size(info["MemTotal"])
    assert info["OperatingSystem"] in facts["os"]

    figures = marked(html, "data-figure")
    assert int(figures["running"]) == info["ContainersRunning"] >= 1
    assert int(figures["stopped"]) == info["ContainersStopped"] >= 1
    assert int(figures["paused"]) == info["ContainersPaused"]
    # As `docker images` counts: top-level images, not the intermediate ones info() includes.
    assert int(figures["images"]) == len(df["Images"]) == len(engine.images.list())

    shown_sizes = [int(s) for s in re.findall(rb'data-size="(\d+)"', html)]
    shown_totals = [int(t) for t in re.findall(rb"data-total>(\d+)<", html)]
    assert shown_totals == [
        len(df["Images"]),
        len(df["Containers"]),
        len(df["Volumes"] or []),
        len(df["BuildCache"] or []),
    ]
    assert shown_sizes[0] == df["LayersSize"]
    assert shown_sizes[1] == sum(c.get("SizeRw", 0) for c in df["Containers"])


def test_each_count_links_to_its_list(admin_client: Client, engine: docker.DockerClient) -> None:
    html = get_ok(admin_client, "/engines/local/").decode()
    for link in (
        "/engines/local/containers/?state=running",
        "/engines/local/containers/?state=stopped",
        "/engines/local/images/",
    ):
        assert f'href="{link}"' in html
    assert "docker system df" in text_of(html)


def test_disk_usage_reclaimable_as_the_cli_computes_it() -> None:
    df = {
        "LayersSize": 1000,
        "Images": [
            {"Containers": 1, "Size": 600, "SharedSize": 100},
            {"Containers": 0, "Size": 500, "SharedSize": 100},
        ],
        "Containers": [
            {"State": "running", "SizeRw": 30},
            {"State": "exited", "SizeRw": 70},
        ],
        "Volumes": [
            {"UsageData": {"RefCount": 1, "Size": 5}},
            {"UsageData": {"RefCount": 0, "Size": 15}},
            {"UsageData": {"RefCount": 0, "Size": -1}},
        ],
        "BuildCache": [
            {"InUse": True, "Shared": False, "Size": 8},
            {"InUse": False, "Shared": True, "Size": 4},
            {"InUse": False, "Shared": False, "Size": 2},
        ],
    }
    images, containers, volumes, cache = disk_usage_rows(df)
    assert (images.total, images.active, images.size, images.reclaimable) == (2, 1, 1000, 500)
    assert images.reclaimable_percent == 50
    assert (containers.total, containers.active, containers.size, containers.reclaimable) == (
        2, 1, 100, 70,
    )  # fmt: skip
    assert (volumes.total, volumes.active, volumes.size, volumes.reclaimable) == (3, 1, 20, 15)
    assert (cache.total, cache.active, cache.size, cache.reclaimable) == (3, 1, 14, 2)


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1 KiB"), (256 * 1024**2, "256 MiB"),
     (268_435_456 + 104_858, "256.1 MiB"), (3_464_000_000, "3.226 GiB")],
)  # fmt: skip
def test_sizes_read_in_binary_units_as_limits_are_set(size: int, shown: str) -> None:
    assert binary_size(size) == shown


def test_a_member_counts_only_their_own_containers(
    member_client: Client, make_container, some_containers: list
) -> None:
    make_container("sleep 600", init=True)
    make_container("true", start=False)
    html = get_ok(member_client, "/engines/local/")
    figures = marked(html, "data-figure")
    assert (figures["running"], figures["paused"], figures["stopped"]) == ("1", "0", "1")
    assert b'id="disk-usage"' not in html  # everyone's objects: the administrators' view


@pytest.mark.parametrize(
    ("nano", "shown"),
    [(0, "0"), (5 * 10**8, "0.5"), (10**9, "1"), (10 * 10**9, "10"), (200 * 10**9, "200"),
     (1_234_000_000, "1.234")],
)  # fmt: skip
def test_cpus_read_as_docker_run_takes_them(nano: int, shown: str) -> None:
    assert format_cpus(nano) == shown  # 10 CPUs once read "1"
