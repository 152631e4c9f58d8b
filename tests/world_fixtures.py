"""The engine's real world, under every test of the session: what the CLI and image authors
left there (tests/harness/world.py), and another Dockboard installation beside this one
(tests/harness/installation.py), whose reaper sweeps the engine all along."""

import shutil
from collections.abc import Iterator

import docker
import pytest

from tests.harness.installation import OtherInstallation, other_installation
from tests.harness.world import WORLD_LABEL, World, build_world, remove_world


@pytest.fixture(scope="session", autouse=True)
def world(engine: docker.DockerClient, registry: str) -> Iterator[World]:
    built = build_world(engine, registry)
    try:
        yield built
    finally:
        remove_world(engine)
        shutil.rmtree(built.host_directory, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def other(
    engine: docker.DockerClient, world: World, tmp_path_factory
) -> Iterator[OtherInstallation]:
    """At the end, whatever the session's tests did: all the other installation made is still
    on the engine, and its reaper still runs."""
    directory = tmp_path_factory.mktemp("other-installation")
    with other_installation(engine, directory, world.base, WORLD_LABEL) as installation:
        yield installation
        assert installation.reaper.poll() is None, "the other installation's reaper stopped"
        present = {c.id for c in engine.containers.list(all=True)}
        theirs = {*installation.containers.values(), *installation.lab_containers}
        assert theirs <= present, "this session's tests removed the other installation's objects"
