"""Property: whatever bytes reach the Engine API endpoint, it answers with HTTP or closes the
connection, never lets a smuggled request through, and keeps serving; whatever create body a
member sends, the container is refused or made under the team's policy, never a crash."""

import contextlib
import json
import re
import socket
from collections.abc import Iterator

import docker
import pytest
from django.contrib.auth.models import User
from hypothesis import given, settings
from hypothesis import strategies as st

from dockerapi import tokens
from tests.harness.docker_cli import live_endpoint
from tests.harness.run import LABEL_KEY, RUN_ID

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def address(django_db_setup: None) -> Iterator[tuple[str, int]]:
    with live_endpoint() as endpoint:
        host, port = endpoint.removeprefix("tcp://").split(":")
        yield host, int(port)


@pytest.fixture
def secret(member: User) -> str:
    return tokens.issue(member, "property")[1]


def exchange(address: tuple[str, int], data: bytes, wait: float = 2.0) -> bytes:
    """Send ``data`` on one connection and read what comes back until the endpoint closes it or
    stays silent for ``wait`` seconds."""
    with socket.create_connection(address, timeout=wait) as connection:
        with contextlib.suppress(OSError):
            connection.sendall(data)
            connection.shutdown(socket.SHUT_WR)
        answer = b""
        with contextlib.suppress(TimeoutError, OSError):
            while chunk := connection.recv(65536):
                answer += chunk
        return answer


def statuses(answer: bytes) -> list[int]:
    """The status of each response in ``answer`` (a body may end without a line break)."""
    return [int(status) for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)]


def request(secret: str, method: str, path: str, headers: str = "", body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {secret}\r\n{headers}"
    return head.encode() + b"\r\n" + body


def still_serves(address: tuple[str, int], secret: str) -> bool:
    return statuses(exchange(address, request(secret, "GET", "/_ping"))) == [200]


def test_two_requests_in_one_connection_are_answered_in_order(address, secret: str) -> None:
    ping = request(secret, "GET", "/_ping")
    denied = request(secret, "POST", "/build", "Content-Length: 0\r\n")
    answer = exchange(address, ping + denied + ping)
    assert statuses(answer) == [200, 403, 200], answer


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\nPOST /build"),
        ("Content-Length: 4\r\nContent-Length: 40\r\n", b"{}{}"),
        ("Transfer-Encoding: chunked\r\n", b"zz\r\nnot a chunk\r\n"),
        ("Transfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n"),
        ("Content-Length: -1\r\n", b""),
        ("X: " + "a" * 70_000 + "\r\n", b""),
        (" folded: header\r\n", b""),
    ],
)
def test_a_smuggled_or_malformed_request_is_refused_and_the_connection_closed(
    address, secret: str, headers: str, body: bytes
) -> None:
    smuggled = request(secret, "POST", "/containers/create", headers, body)
    after = request(secret, "POST", "/build", "Content-Length: 0\r\n")
    answered = statuses(exchange(address, smuggled + after))
    # 501: a transfer coding HTTP/1.1 servers need not know
    assert len(answered) == 1 and (400 <= answered[0] < 500 or answered[0] == 501), answered
    assert still_serves(address, secret)


def test_a_body_over_a_megabyte_is_refused(address, secret: str) -> None:
    body = b"{" + b" " * 2_000_000 + b"}"
    answer = request(secret, "POST", "/containers/create", f"Content-Length: {len(body)}\r\n")
    assert statuses(exchange(address, answer + body)) == [413]
    assert still_serves(address, secret)


@settings(max_examples=60)
@given(data=st.binary(max_size=600))
def test_any_bytes_get_an_http_answer_or_a_closed_connection(address, secret, data) -> None:
    answered = statuses(exchange(address, data, wait=1.0))
    assert all(400 <= status < 500 for status in answered), answered
    assert still_serves(address, secret)


SAFE_TEXT = st.text(alphabet=st.characters(codec="ascii", exclude_categories=["Cc"]), max_size=12)
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), SAFE_TEXT,
    st.lists(SAFE_TEXT, max_size=2), st.dictionaries(SAFE_TEXT, SAFE_TEXT, max_size=2),
)  # fmt: skip
HOST_KEYS = [
    "Privileged", "CapAdd", "CapDrop", "Binds", "NetworkMode", "PidMode", "IpcMode", "Devices",
    "Memory", "NanoCpus", "PortBindings", "RestartPolicy", "AutoRemove", "SecurityOpt",
    "UsernsMode", "Sysctls", "ReadonlyRootfs", "ShmSize", "Runtime", "CgroupParent",
    "OomKillDisable",
]  # fmt: skip
CONFIG_KEYS = ["Cmd", "Entrypoint", "Env", "User", "WorkingDir", "Hostname", "Labels", "Tty"]


@settings(max_examples=40)
@given(
    config=st.dictionaries(st.sampled_from(CONFIG_KEYS), VALUES, max_size=3),
    host=st.dictionaries(st.sampled_from(HOST_KEYS), VALUES, max_size=3),
)
def test_a_create_body_is_refused_or_made_under_the_policy(
    address, secret: str, busybox: str, engine: docker.DockerClient, config, host
) -> None:
    body = {**config, "Image": busybox, "HostConfig": host, "Labels": {LABEL_KEY: RUN_ID}}
    data = json.dumps(body).encode()
    answer = exchange(
        address,
        request(secret, "POST", "/v1.41/containers/create", f"Content-Length: {len(data)}\r\n")
        + data,
    )
    (status,) = statuses(answer)
    assert status in {201, 400, 403, 404, 409}, answer
    if status != 201:
        assert b'"message"' in answer
        return
    made = engine.containers.get(json.loads(answer.partition(b"\r\n\r\n")[2])["Id"])
    try:
        host_config = made.attrs["HostConfig"]
        assert host_config["Privileged"] is False
        assert host_config["CapDrop"] == ["ALL"]
        assert host_config["SecurityOpt"] == ["no-new-privileges"]
        assert host_config["NetworkMode"] in {"default", "bridge", "none"}
        assert not host_config.get("Binds")
        assert host_config["PidMode"] == "" and host_config["IpcMode"] in {"", "private"}
    finally:
        made.remove(force=True)
