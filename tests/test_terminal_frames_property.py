"""Property: whatever text frames a crafted client sends a terminal (JSON that is not an object,
acks and resizes with any values, frames over the limit), the server answers with an error
event or a close code, the terminal goes on working, and the process's memory stays bounded."""

import json
import resource

import pytest
from asgiref.sync import async_to_sync
from hypothesis import given, settings
from hypothesis import strategies as st

from containers.terminal import MAX_CONTROL_FRAME
from tests import bad_inputs
from tests.terminal_client import open_terminal

NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["12", "", "1e400", None, True, [], {}]),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
CONTROLS = st.one_of(
    st.fixed_dictionaries({"type": st.just("ack"), "bytes": NUMBERS}).map(json.dumps),
    st.fixed_dictionaries({"type": st.just("resize"), "rows": NUMBERS, "cols": NUMBERS}).map(
        json.dumps
    ),
    st.fixed_dictionaries({"type": st.text(max_size=10)}, optional={"active": JSON}).map(
        json.dumps
    ),
    JSON.map(json.dumps),
    st.text(max_size=60),
    st.just('{"type": "ack", "bytes": 1e400}'),
    st.just("x" * (MAX_CONTROL_FRAME + 1)),
)


def kib_at_most() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.fixture
def running(make_container):
    return make_container()


@pytest.mark.django_db(transaction=True)
@settings(max_examples=60)
@given(frames=st.lists(CONTROLS, min_size=1, max_size=6))
def test_any_control_frames(running, cookie: bytes, frames: list[str]) -> None:
    async def session() -> None:
        client = await open_terminal(f"/ws/containers/{running.id}/exec/", cookie)
        for text in frames:
            bad_inputs.tried("terminal control frame", text)
            await client.ws.send_input({"type": "websocket.receive", "text": text})
            if len(text) > MAX_CONTROL_FRAME:
                assert (await client.event("closed"))["code"] == 1009
                return
        await client.control({"type": "resize", "rows": 24, "cols": 80})
        await client.send(b"echo alive-$((6*7))\n")
        await client.read_until(b"alive-42")  # the terminal goes on
        answers = {event["type"] for event in client.events}
        assert answers <= {"error", "hello", "presence"}, client.events
        await client.close()

    before = kib_at_most()
    async_to_sync(session)()
    assert kib_at_most() - before < 50 * 1024  # no frame makes the server hold on to memory
