"""Ctrl+C into a flood of output: the prompt comes back at once, as in a local terminal, and a
Ctrl+C into a terminal that is not behind changes nothing (containers/interrupt.py)."""

import asyncio
import time

import pytest

from containers import interrupt, terminal
from tests.terminal_client import open_terminal

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
PROMPT = b"/ # "


def wait_for_process(container, command: str) -> None:
    deadline = time.monotonic() + 10
    while not any(command in " ".join(row) for row in container.top()["Processes"] or []):
        assert time.monotonic() < deadline, f"{command} never ran"
        time.sleep(0.05)


async def ctrl_c_skips(client) -> int:
    """Type Ctrl+C and wait for the skip; how much output had come before it."""
    await client.send(b"\x03")
    assert (await client.event("interrupt"))["skip"] is True
    return next(offset for event, offset in client.event_offsets if event == "interrupt")


async def test_ctrl_c_into_a_flood_skips_to_the_prompt(make_container, cookie) -> None:
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    client.ack = False  # a browser far behind: the flow window fills
    await client.send(b"yes\n")
    assert await client.drain(quiet=1.0) >= terminal.FlowWindow().high

    skipped_from = await ctrl_c_skips(client)
    await client.read_until(b"^C\r\n" + PROMPT, timeout=20)
    after = bytes(client.output[skipped_from:])
    # What `yes` wrote meanwhile, held in the engine's buffers (about a megabyte), is not sent:
    # only its last lines, then the prompt. The window opened again without an acknowledgement.
    assert len(after) <= 2 * interrupt.TAIL + 1024, len(after)
    assert after.startswith(b"y\r\n") and set(after.split(b"^C")[0]) <= set(b"y\r\n")
    await client.send(b"echo back-$((40+2))\n")
    await client.read_until(b"\r\nback-42\r\n")
    await client.close()


async def test_ctrl_c_into_a_flood_the_browser_keeps_up_with_skips_too(
    make_container, cookie
) -> None:
    """The engine's buffers are full in a flood whatever the browser's pace: the rate decides.
    Long lines make it one on a loaded machine too (busybox `yes` writes a line at a time)."""
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await client.send(b"yes " + b"flood" * 20 + b"\n")
    await client.read_total(4 * interrupt.FLOOD_BYTES)
    skipped_from = await ctrl_c_skips(client)
    await client.read_until(b"^C\r\n" + PROMPT, timeout=20)
    assert len(client.output) - skipped_from <= 2 * interrupt.TAIL + 1024
    await client.close()


async def test_the_prompt_after_the_echo_is_sent_at_once(
    make_container, cookie, monkeypatch
) -> None:
    """The skip ends at the echo and sends what follows it as it comes; a quiet (made 5 s long
    here) ends a skip only when no echo comes."""
    monkeypatch.setattr(interrupt, "QUIET_SECONDS", 5.0)
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await client.send(b"yes " + b"flood" * 20 + b"\n")
    await client.read_total(4 * interrupt.FLOOD_BYTES)
    await ctrl_c_skips(client)
    skipped_at = time.monotonic()
    await client.read_until(b"^C\r\n" + PROMPT, timeout=20)
    assert time.monotonic() - skipped_at < 2.5
    await client.close()


async def test_an_echo_read_while_output_is_gathered_is_skipped_to(
    make_container, cookie, monkeypatch
) -> None:
    """Ctrl+C typed while the terminal gathers slow output into a frame (made 2 s long here):
    the echo read meanwhile is where the skip ends, and the skip is over with it (left for
    later, it would hold the next output back until a quiet, made 5 s long here)."""
    monkeypatch.setattr(terminal, "PACE_SECONDS", 2.0)
    monkeypatch.setattr(interrupt, "QUIET_SECONDS", 5.0)
    monkeypatch.setattr(interrupt, "FLOOD_BYTES", 1)  # any output makes it a flood
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await client.send(b"while :; do echo x; sleep 0.05; done\n")
    await client.read_until(b"x\r\nx\r\n")
    await asyncio.sleep(terminal.ANSWER_SECONDS + 0.5)  # no key for a while: output is gathered
    skipped_from = await ctrl_c_skips(client)
    skipped_at = time.monotonic()
    await client.read_until(b"^C\r\n" + PROMPT, timeout=20)
    assert time.monotonic() - skipped_at < 4.0
    assert b"^C" in client.output[skipped_from:]
    typed_at = time.monotonic()
    await client.send(b"echo after-$((40+2))\n")
    await client.read_until(b"\r\nafter-42\r\n", timeout=20)
    assert time.monotonic() - typed_at < 4.0
    await client.close()


async def test_ctrl_c_into_a_flood_of_one_endless_line_keeps_the_echo(
    make_container, cookie
) -> None:
    """With no line to start the drawn tail at, it starts at the echo: the prompt is drawn on a
    line of its own, as in a local terminal, not in the middle of the flood's last line."""
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    client.ack = False
    await client.send(b"cat /dev/zero | tr '\\0' a\n")
    assert await client.drain(quiet=1.0) >= terminal.FlowWindow().high

    skipped_from = await ctrl_c_skips(client)
    await client.read_until(b"^C\r\n" + PROMPT, timeout=20)
    assert bytes(client.output[skipped_from:]).startswith(b"^C\r\n" + PROMPT)
    await client.close()


async def test_ctrl_c_after_a_few_lines_skips_nothing(make_container, cookie) -> None:
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await client.send(b"seq 1 3000; sleep 60\n")
    await client.read_until(b"\r\n3000\r\n")
    await asyncio.to_thread(wait_for_process, container, "sleep 60")  # else the shell gets it
    await client.send(b"\x03")
    await client.read_until(b"^C\r\n" + PROMPT)
    assert (await client.event("interrupt"))["skip"] is False  # the page draws on at once
    answered_at = next(offset for event, offset in client.event_offsets if event == "interrupt")
    assert b"^C" not in client.output[:answered_at]  # the answer comes before the echo
    lines = client.output.decode().split("\r\n")
    assert [str(n) for n in range(1, 3001)] == lines[lines.index("1") : lines.index("3000") + 1]
    await client.close()


async def test_a_flood_that_ignores_ctrl_c_is_drawn_on(make_container, cookie) -> None:
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    client.ack = False
    await client.send(b"(trap '' INT; exec yes)\n")
    assert await client.drain(quiet=1.0) >= terminal.FlowWindow().high

    client.ack = True
    skipped_from = await ctrl_c_skips(client)
    await client.read_until(b"^C")
    await client.read_total(skipped_from + 2 * terminal.FlowWindow().high)  # `yes` goes on
    await client.close()
