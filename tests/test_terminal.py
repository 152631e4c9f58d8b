"""The terminal websocket against real containers: the seed's -i -t shell, exit, detach, exec."""

import asyncio
import contextlib
import time

import docker
import pytest

from containers import terminal
from dashboard.engine import streams as engine_stream
from tests.terminal_client import TerminalClient, open_terminal

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]
PROMPT = b"/ # "


async def test_hostname_is_the_short_id(make_container, cookie) -> None:
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.name}/attach/", cookie)
    await client.control({"type": "resize", "cols": 80, "rows": 24})
    await client.send(b"hostname\n")
    await client.read_until(container.id[:12].encode() + b"\r\n")
    await client.close()


async def test_korean_text_echoes_intact(make_container, cookie) -> None:
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await client.send("echo 안녕하세요 도커\n".encode())
    text = await client.read_until("\r\n안녕하세요 도커\r\n".encode())
    assert "echo 안녕하세요 도커" in text
    await client.close()


async def test_a_container_whose_logs_cannot_be_read_back_attaches(make_container, cookie) -> None:
    """`--log-driver none` keeps no output to draw first: the terminal starts blank and works,
    as `docker attach` does."""
    container = make_container(log_driver="none")
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await client.send(b"echo attached-$((40+2))\n")
    await client.read_until(b"\r\nattached-42\r\n")
    await client.close()


async def test_ctrl_p_ctrl_q_detaches_and_the_container_keeps_running(
    make_container, cookie
) -> None:
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await client.send(b"\x10\x11")
    assert (await client.event("ended"))["reason"] == "detached"
    container.reload()
    assert container.status == "running"

    again = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await again.send(b"echo back again\n")
    await again.read_until(b"\r\nback again\r\n")
    await again.close()


async def test_exit_stops_the_container_and_reports_the_code(make_container, cookie) -> None:
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await client.send(b"exit 3\n")
    ended = await client.event("ended")
    assert ended == {"type": "ended", "reason": "exited", "exitCode": 3}
    container.reload()
    assert container.status == "exited"
    assert container.attrs["State"]["ExitCode"] == 3


async def test_ctrl_d_ends_the_shell_too(make_container, cookie) -> None:
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await client.send(b"\x04")
    assert (await client.event("ended"))["reason"] == "exited"


async def test_start_and_attach_shows_the_first_prompt(make_container, cookie) -> None:
    container = make_container(start=False)
    client = await open_terminal(f"/ws/containers/{container.id}/attach/?start=1", cookie)
    await client.read_until(PROMPT)
    container.reload()
    assert container.status == "running"
    await client.close()


async def test_attaching_to_a_stopped_container_says_so(make_container, cookie) -> None:
    container = make_container(start=False)
    client = TerminalClient(f"/ws/containers/{container.id}/attach/", cookie)
    assert await client.connect()
    error = await client.event("error")
    assert "start it first" in error["message"] or "not running" in error["message"]


async def test_exec_falls_back_to_sh_and_leaves_the_container_running(
    make_container, cookie
) -> None:
    container = make_container("sleep 600", stdin=False, tty=False)
    client = await open_terminal(f"/ws/containers/{container.id}/exec/", cookie)
    await client.send(b"echo shell=$0\n")
    await client.read_until(b"shell=/bin/sh")
    await client.send(b"exit 5\n")
    ended = await client.event("ended")
    assert ended == {"type": "ended", "reason": "exec-exited", "exitCode": 5}
    container.reload()
    assert container.status == "running"


async def test_exec_runs_a_custom_command_as_a_user(make_container, cookie) -> None:
    container = make_container("sleep 600")
    client = await open_terminal(
        f"/ws/containers/{container.id}/exec/?command=id%20-u&user=1234", cookie
    )
    await client.read_until(b"1234")
    assert (await client.event("ended"))["exitCode"] == 0


async def test_a_container_without_tty_is_demultiplexed(make_container, cookie) -> None:
    container = make_container(
        ["sh", "-c", "while true; do echo out-line; echo err-line >&2; sleep 0.2; done"],
        tty=False,
        stdin=False,
    )
    client = TerminalClient(f"/ws/containers/{container.id}/attach/", cookie)
    assert await client.connect()
    hello = await client.event("hello")
    assert hello["tty"] is False and hello["stdin"] is False
    text = await client.read_until(b"\x1b[31merr-line\n\x1b[0m")
    assert "out-line\n" in text
    assert "\x01\x00\x00\x00" not in text  # no frame headers reach the screen
    await client.close()


async def test_resize_reaches_the_shell(make_container, cookie) -> None:
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await client.control({"type": "resize", "cols": 101, "rows": 33})
    await client.send(b"stty size\n")
    await client.read_until(b"33 101")
    await client.close()


async def test_reconnecting_shows_recent_output(make_container, cookie) -> None:
    container = make_container()
    first = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await first.send(b"echo remembered-line\n")
    await first.read_until(b"\r\nremembered-line\r\n")
    await first.close()
    second = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await second.read_until(b"remembered-line")
    await second.close()


async def test_two_terminals_share_one_container(make_container, cookie) -> None:
    container = make_container()
    one = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    two = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await two.send(b"echo typed-in-two\n")
    await one.read_until(b"\r\ntyped-in-two\r\n")
    await two.read_until(b"\r\ntyped-in-two\r\n")
    await one.close()
    await two.close()


async def test_output_in_flight_is_bounded_until_acknowledged(make_container, cookie) -> None:
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    client.ack = False
    await client.send(b"yes\n")
    received = await client.drain(quiet=1.0)
    assert terminal.FlowWindow().high <= received < terminal.FlowWindow().high + 256 * 1024

    await client.control({"type": "ack", "bytes": received})
    client.ack = True
    await client.send(b"\x03")
    await client.read_until(PROMPT, timeout=20)
    await client.close()


async def test_output_nobody_typed_for_is_gathered_into_few_frames(
    make_container, cookie, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pace far longer than the writes take even on a loaded machine: the count of frames then
    # says whether output was gathered, not how fast the machine was (unpaced: 101 frames).
    monkeypatch.setattr(terminal, "PACE_SECONDS", 0.5)
    lines = "i=0; while [ $i -lt 100 ]; do echo line-$i; usleep 2000; i=$((i+1)); done"
    container = make_container(["sh", "-c", f"sleep 1; {lines}; echo done; sleep 600"])
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    before = client.frames
    output = await client.read_until(b"done\r\n")
    assert output.endswith("".join(f"line-{i}\r\n" for i in range(100)) + "done\r\n")
    assert client.frames - before <= 10
    await client.close()


async def test_a_close_cancelled_midway_does_not_break_the_next_one(make_container) -> None:
    """The page closing while the output pump is still closing the stream: both close it."""
    container = make_container()
    stream = await engine_stream.attach(container.id, tty=True)
    pump_closing = asyncio.create_task(stream.close())
    await asyncio.sleep(0)  # the pump now waits for the socket to close
    pump_closing.cancel()
    await stream.close()  # raised CancelledError when the pump's cancel reached the shared close
    with contextlib.suppress(asyncio.CancelledError):
        await pump_closing
    assert pump_closing.cancelled()
    await asyncio.wait_for(stream.reader.read(), 5)
    assert stream.reader.at_eof()  # the engine's socket is really closed


async def test_a_stalled_browser_releases_the_stream(
    make_container, cookie, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(terminal, "STALL_SECONDS", 1.0)
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    client.ack = False
    await client.send(b"yes\n")
    assert (await client.event("ended", timeout=15))["reason"] == "stalled"
    # The engine stream is released although the client never closed: removal does not hang.
    started = time.monotonic()
    container.remove(force=True)
    assert time.monotonic() - started < 10


async def test_oversized_input_frames_close_the_socket(make_container, cookie) -> None:
    container = make_container()
    client = await open_terminal(f"/ws/containers/{container.id}/attach/", cookie)
    await client.send(b"x" * (terminal.MAX_INPUT_FRAME + 1))
    assert (await client.event("closed"))["code"] == 1009


async def test_closing_the_page_ends_the_exec_process(make_container, cookie) -> None:
    container = make_container("sleep 600")
    client = await open_terminal(f"/ws/containers/{container.id}/exec/", cookie)
    await client.send(b"echo ready; sleep 600\n")  # a command still running when the page closes
    await client.read_until(b"\r\nready\r\n")
    container.reload()
    (exec_id,) = container.attrs["ExecIDs"]
    await client.close()
    started = time.monotonic()
    while True:
        try:
            if not container.client.api.exec_inspect(exec_id)["Running"]:
                break
        except docker.errors.NotFound:  # ended, and already forgotten by the engine
            break
        assert time.monotonic() - started < 5, "the shell outlived its websocket"
        await asyncio.sleep(0.1)


def _processes(container) -> list[str]:
    """What runs in the container, but its main process (PID 1 inside)."""
    rows = container.client.api.top(container.id, ps_args="-o pid,args")["Processes"] or []
    return sorted(row[-1] for row in rows[1:])


# What a learner's exec terminal is doing when its page closes (Ctrl+C and Ctrl+D end none of
# vi, top, a background job or a half-typed line's shell).
OPEN_WORK = {
    "idle": b"",
    "half-typed": b"echo unfinished",
    "vi": b"vi /tmp/notes\n",
    "cat": b"cat\n",
    "top": b"top\n",
    "background": b"sleep 1000 &\n",
    "foreground": b"echo ready; sleep 600\n",
    "resized": b"",
}


@pytest.mark.parametrize("work", OPEN_WORK)
async def test_closing_an_exec_ends_its_shell_whatever_it_runs(
    make_container, cookie, work: str
) -> None:
    """A learner's container runs `sh` with a TTY; each exec terminal closed must take its shell
    and all the shell started with it, or the container runs out of processes."""
    container = make_container()  # the image's own `sh`, -i -t, as a lab's service
    before = _processes(container)
    client = await open_terminal(f"/ws/containers/{container.id}/exec/", cookie)
    await client.send(b"echo $((6*7))\n")
    await client.read_until(b"42")
    if work == "resized":
        await client.control({"type": "resize", "rows": 40, "cols": 120})
    if OPEN_WORK[work]:
        await client.send(OPEN_WORK[work])
    await asyncio.sleep(0.5)  # it runs
    assert _processes(container) != before
    await client.close()
    started = time.monotonic()
    while _processes(container) != before:
        assert time.monotonic() - started < 10, _processes(container)
        await asyncio.sleep(0.2)
