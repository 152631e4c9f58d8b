"""Control frames a crafted client sends: each bad one answers an error event, and the terminal
goes on working; the exec shell still ends when the page goes."""

import json

import docker
import pytest

from tests import bad_inputs
from tests.terminal_client import TerminalClient, open_terminal

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

BAD_CONTROLS = [
    '{"type": "ack", "bytes": 1e400}',
    '{"type": "ack", "bytes": Infinity}',
    '{"type": "ack", "bytes": NaN}',
    '{"type": "ack", "bytes": -1048576}',
    '{"type": "ack", "bytes": "12"}',
    '{"type": "ack", "bytes": true}',
    '{"type": "ack", "bytes": 1e300}',
    '{"type": "ack", "bytes": 99999999999999999999999}',
    '{"type": "resize", "rows": Infinity, "cols": 80}',
    '{"type": "resize", "rows": 24, "cols": 1e400}',
    '{"type": "resize", "rows": 0, "cols": 80}',
    '{"type": "resize", "rows": -3, "cols": 80}',
    '{"type": "resize", "rows": 1000000000, "cols": 80}',
    '{"type": "resize", "rows": 24.5, "cols": 80}',
    '{"type": "resize"}',
    "[1, 2]",
    "3",
    "null",
    '"ack"',
    "{",
    "{}",
]


async def test_bad_control_frames_answer_an_error_and_the_terminal_goes_on(
    make_container, cookie: bytes
) -> None:
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await client.control({"type": "resize", "rows": 24, "cols": 80})
    for text in BAD_CONTROLS:
        bad_inputs.tried("terminal control frame", text)
        await client.ws.send_to(text_data=text)
        event = await client.event("error")
        assert event["message"] == "Malformed control message.", text
    await client.send(b"stty size\n")
    await client.read_until(b"\r\n24 80\r\n")  # no bad resize reached the engine
    await client.close()


async def test_a_negative_ack_does_not_stall_the_output(make_container, cookie: bytes) -> None:
    """Before, an ack of -1 MB added a megabyte in flight and the terminal stopped drawing."""
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    for _ in range(4):
        await client.ws.send_to(text_data=json.dumps({"type": "ack", "bytes": -(2**30)}))
    await client.send(b"head -c 3000000 /dev/zero | tr '\\0' x; echo; echo done-$((6*7))\n")
    await client.read_until(b"done-42", timeout=30)
    await client.close()


async def test_a_crafted_frame_leaves_no_exec_shell_behind(
    engine: docker.DockerClient, make_container, cookie: bytes
) -> None:
    container = make_container("sleep 600", init=True)
    client = await open_terminal(f"/ws/containers/{container.id}/exec/", cookie)
    await client.send(b"echo $((6*7))\n")
    await client.read_until(b"42")
    await client.ws.send_to(text_data='{"type": "resize", "rows": Infinity, "cols": 1e400}')
    await client.event("error")
    await client.close()
    assert _shells(engine, container.id) == []


async def test_an_exec_closed_at_once_leaves_no_shell_behind(
    engine: docker.DockerClient, make_container, cookie: bytes
) -> None:
    container = make_container("sleep 600", init=True)
    for _ in range(3):
        client = TerminalClient(f"/ws/containers/{container.id}/exec/", cookie)
        assert await client.connect()
        await client.close()
    assert _shells(engine, container.id) == []


async def test_an_unknown_websocket_route_is_refused_cleanly(make_container, cookie: bytes) -> None:
    container = make_container()
    client = TerminalClient(f"/ws/containers/{container.id}/foo/", cookie)
    assert not await client.connect()
    client = TerminalClient("/ws/nothing-here/", cookie)
    assert not await client.connect()


def _shells(engine: docker.DockerClient, container_id: str) -> list[str]:
    processes = engine.api.top(container_id, ps_args="-o pid,args")["Processes"] or []
    return [row[-1] for row in processes if row[-1].split()[0] in {"/bin/sh", "sh", "bash"}]
