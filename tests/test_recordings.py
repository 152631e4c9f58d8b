"""Terminal recordings: asciicast v2 that parses, holds exactly what the terminal received, the
resizes, markers of lab checks and (only where allowed) input; a size cap; a full or slow disk
never blocks the terminal; replay for the right people only; retention."""

import asyncio
import json
import os
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.utils import timezone

from dashboard.models import Team, TerminalRecording
from dashboard.terminal import recording
from labs import checks, runtime
from tests.harness.accounts import session_cookie, signed_in
from tests.pages import streamed
from tests.terminal_client import TerminalClient

pytestmark = pytest.mark.django_db(transaction=True)
CODES = {"o", "i", "r", "m"}


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def parse_cast(path: Path) -> tuple[dict, list[list]]:
    """The header and events, each checked against asciicast v2 (a line ends at "\n" only:
    U+2028 and U+0085 stand in a JSON string unescaped)."""
    lines = path.read_text(encoding="utf-8").removesuffix("\n").split("\n")
    header = json.loads(lines[0])
    assert header["version"] == 2
    assert isinstance(header["width"], int) and isinstance(header["height"], int)
    assert isinstance(header["timestamp"], int) and header["title"] and "TERM" in header["env"]
    events = [json.loads(line) for line in lines[1:]]
    last = 0.0
    for event in events:
        when, code, data = event
        assert isinstance(when, float | int) and when >= last and code in CODES
        assert isinstance(data, str)
        last = when
    return header, events


async def typed_session(user: User, container, script: bytes, until: bytes) -> TerminalClient:
    cookie = await sync_to_async(session_cookie)(user)
    client = TerminalClient(f"/ws/containers/{container.id}/attach/", cookie)
    assert await client.connect()
    await client.event("hello")
    await client.control({"type": "resize", "rows": 30, "cols": 100})
    await client.send(script)
    await client.read_until(until)
    await client.drain(0.5)  # the prompt after it too: all the server sent
    await client.close()
    return client


def only_recording() -> TerminalRecording:
    """The one recording, once its writer has ended it (just after the terminal closes)."""
    deadline = time.monotonic() + 10
    while (row := TerminalRecording.objects.get()).ended_at is None:
        assert time.monotonic() < deadline, "the recording was never ended"
        time.sleep(0.05)
    return row


def test_a_recording_holds_what_the_terminal_received_and_the_resize(
    team: Team, member: User, make_container, data_dir: Path
) -> None:
    Team.objects.filter(pk=team.pk).update(recording="all")
    shell = make_container()
    client = asyncio.run(
        typed_session(
            member,
            shell,
            "echo 안녕하세요; printf '\\342\\200\\250\\n'; stty size\n".encode(),
            b"30 100",
        )
    )
    row = only_recording()
    assert (row.user, row.container_id, row.mode, row.owner_id) == (
        member,
        shell.id,
        "attach",
        member.pk,
    )
    assert row.ended_at is not None and row.size == (data_dir / row.path).stat().st_size
    _header, events = parse_cast(data_dir / row.path)
    output = "".join(data for _when, code, data in events if code == "o")
    assert output.encode() == bytes(client.output)  # every byte, no character split
    assert "안녕하세요\r\n\u2028\r\n" in output  # U+2028 is not a line end in the file
    assert [data for _when, code, data in events if code == "r"] == ["100x30"]
    assert not [event for event in events if event[1] == "i"]  # input is not recorded by default


def test_input_is_recorded_only_where_an_administrator_allows_it(
    team: Team, member: User, make_container, data_dir: Path
) -> None:
    Team.objects.filter(pk=team.pk).update(recording="all", record_input=True)
    asyncio.run(typed_session(member, make_container(), b"echo typed-here\n", b"typed-here\r\n"))
    _header, events = parse_cast(data_dir / only_recording().path)
    typed = "".join(data for _when, code, data in events if code == "i")
    assert typed.startswith("echo typed-here\n")  # then the terminal's answer to a cursor query


def test_terminals_are_not_recorded_when_the_team_says_off_or_outside_labs(
    team: Team, member: User, make_container
) -> None:
    shell = make_container()
    asyncio.run(typed_session(member, shell, b"echo one\n", b"one\r\n"))  # default: labs only
    Team.objects.filter(pk=team.pk).update(recording="off")
    asyncio.run(typed_session(member, shell, b"echo two\n", b"two\r\n"))
    assert not TerminalRecording.objects.exists()


def test_a_lab_sessions_terminal_is_recorded_with_a_marker_per_check(
    launched, member: User, engine, data_dir: Path
) -> None:
    session = launched()
    service = engine.containers.get(runtime.container_name(session, "shell"))

    async def scenario() -> None:
        cookie = await sync_to_async(session_cookie)(member)
        client = TerminalClient(f"/ws/containers/{service.id}/attach/", cookie)
        assert await client.connect()
        await client.event("hello")
        await sync_to_async(checks.run_step)(session, 0)
        await asyncio.sleep(0.3)
        await client.close()

    asyncio.run(scenario())
    row = only_recording()
    assert row.lab_session == str(session.pk)
    _header, events = parse_cast(data_dir / row.path)
    markers = [data for _when, code, data in events if code == "m"]
    assert markers == ["step 1: Make a file (not yet)"]


async def interrupted_flood(user: User, container) -> TerminalClient:
    cookie = await sync_to_async(session_cookie)(user)
    client = TerminalClient(f"/ws/containers/{container.id}/attach/", cookie)
    assert await client.connect()
    await client.event("hello")
    client.ack = False  # a browser far behind, so that Ctrl+C skips what it has not drawn
    await client.send(b"yes\n")
    await client.drain(1.0)
    await client.send(b"\x03")
    await client.read_until(b"^C\r\n/ # ", timeout=20)
    await client.drain(0.5)
    await client.close()
    return client


def test_a_skip_after_ctrl_c_is_a_marker_and_the_rest_is_recorded(
    team: Team, member: User, make_container, data_dir: Path
) -> None:
    Team.objects.filter(pk=team.pk).update(recording="all")
    client = asyncio.run(interrupted_flood(member, make_container()))
    _header, events = parse_cast(data_dir / only_recording().path)
    output = "".join(data for _when, code, data in events if code == "o")
    assert output.encode() == bytes(client.output)  # what the page got, the skipped part not
    [marker] = [data for _when, code, data in events if code == "m"]
    skipped = int(marker.removeprefix("Ctrl+C: ").removesuffix(" bytes of output skipped"))
    assert skipped > 64 * 1024, marker


def test_a_recording_stops_at_its_size_cap(
    settings, team: Team, member: User, make_container, data_dir: Path
) -> None:
    settings.DOCKBOARD_RECORDING_MAX_BYTES = 4000
    Team.objects.filter(pk=team.pk).update(recording="all")
    script = (
        b"i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo line-$i; usleep 2000; done; echo E\\ND\n"
    )
    asyncio.run(typed_session(member, make_container(), script, b"END"))
    path = data_dir / only_recording().path
    _header, events = parse_cast(path)
    assert events[-1][1:] == ["m", "recording stopped: size cap reached"]
    assert 4000 - 500 < path.stat().st_size <= 4000 + 100  # the cap, and the marker saying so


def test_a_full_disk_ends_the_recording_not_the_terminal() -> None:
    recorder = recording.Recorder(Path("/dev/full"), {"version": 2}, record_input=False)
    started = time.monotonic()
    for number in range(20_000):
        recorder.output(f"line {number}\n".encode())
    assert time.monotonic() - started < 1.0
    recorder.close()
    recorder.wait(5)
    assert recorder.stopped


def test_a_slow_disk_drops_what_does_not_fit_and_says_so(tmp_path: Path) -> None:
    fifo = tmp_path / "slow.cast"
    os.mkfifo(fifo)  # nobody reads it yet: the writer is stuck, as on a disk that fell behind
    recorder = recording.Recorder(fifo, {"version": 2, "width": 80, "height": 24}, False)
    started = time.monotonic()
    for number in range(recording.QUEUE_EVENTS + 500):
        recorder.output(f"{number}\n".encode())
    assert time.monotonic() - started < 1.0  # the terminal never waited
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    time.sleep(1)  # the reader drains the backlog
    recorder.output(b"after the gap\n")
    recorder.close()
    recorder.wait(10)
    reader.join(10)
    lines = [json.loads(line) for line in received[0].splitlines()[1:]]
    assert lines[-2][1:] == ["m", "gap: 500 events dropped"]  # where the gap was
    assert lines[-1][2] == "after the gap\n"
    assert len(lines) == recording.QUEUE_EVENTS + 2


def test_replay_is_for_the_learner_their_teachers_and_administrators(
    team: Team,
    member: User,
    other_member: User,
    instructor: User,
    outsider: User,
    admin: User,
    make_container,
) -> None:
    Team.objects.filter(pk=team.pk).update(recording="all")
    asyncio.run(typed_session(member, make_container(), b"echo replay\n", b"replay\r\n"))
    row = only_recording()
    for user, status in ((member, 200), (instructor, 200), (admin, 200), (other_member, 404),
                         (outsider, 404)):  # fmt: skip
        client = signed_in(user)
        assert client.get(f"/recordings/{row.pk}/").status_code == status, user
        assert client.get(f"/recordings/{row.pk}.cast").status_code == status, user
        listed = str(row.container_name) in client.get("/recordings/").content.decode()
        assert listed is (status == 200)
    download = signed_in(member).get(f"/recordings/{row.pk}.cast?download=1")
    assert download["Content-Type"] == "application/x-asciicast"
    assert "attachment" in download["Content-Disposition"]
    assert json.loads(streamed(download).split(b"\n", 1)[0])["version"] == 2


def test_recordings_past_their_days_are_removed(
    settings, team: Team, member: User, make_container, data_dir: Path
) -> None:
    Team.objects.filter(pk=team.pk).update(recording="all")
    asyncio.run(typed_session(member, make_container(), b"echo old\n", b"old\r\n"))
    row = only_recording()
    TerminalRecording.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(days=settings.DOCKBOARD_RECORDING_DAYS + 1)
    )
    recording.remove_old_recordings()
    assert not TerminalRecording.objects.exists()
    assert not (data_dir / row.path).exists()


def test_the_roster_shows_each_learners_last_lines_live(
    launched, member: User, instructor: User, engine
) -> None:
    session = launched()
    service = engine.containers.get(runtime.container_name(session, "shell"))
    teacher = signed_in(instructor)

    async def scenario() -> str:
        cookie = await sync_to_async(session_cookie)(member)
        client = TerminalClient(f"/ws/containers/{service.id}/attach/", cookie)
        assert await client.connect()
        await client.event("hello")
        await client.send(b"printf 'l1\\nl2\\nl3 \\342\\200\\250\\nl4\\n'\n")
        await client.read_until(b"l4\r\n")
        await asyncio.sleep(0.5)  # within the roster's 1 s
        roster = await sync_to_async(teacher.get)(
            f"/classes/{session.lab_class_id}/", headers={"HX-Request": "true"}
        )
        await client.close()
        return roster.content.decode()

    html = asyncio.run(scenario())
    screen = html.split("data-screen>", 1)[1].split("</pre>", 1)[0]
    assert "l3 \u2028\nl4\n" in screen and "l1" not in screen
