"""The Engine API endpoint, one for the whole session (it also serves every lab session's
socket, so two would take each other's)."""

from collections.abc import Iterator

import pytest

from tests.harness.docker_cli import live_endpoint


@pytest.fixture(scope="session")
def endpoint(django_db_setup: None) -> Iterator[str]:
    with live_endpoint() as address:
        yield address
