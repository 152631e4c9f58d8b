"""Several-engine fixtures: the real second dockerd of ``second_engine_address``, added to
Dockboard as ``second`` with the test image pulled there."""

from collections.abc import Iterator

import docker
import pytest
from django.core.management import call_command

from tests.harness.run import TEST_LABEL


@pytest.fixture
def second(second_engine_address: str) -> str:
    return second_engine_address


@pytest.fixture
def on_second(second: str, busybox: str) -> Iterator[docker.DockerClient]:
    """The second engine added to Dockboard, with the test image pulled from the registry."""
    call_command("engine", "add", "second", second)
    client = docker.DockerClient(base_url=second, version="1.41", timeout=60)
    repository, tag = busybox.rsplit(":", 1)
    client.images.pull(repository, tag=tag)
    yield client
    for container in client.containers.list(all=True, filters={"label": TEST_LABEL}):
        container.remove(force=True)
    client.close()
