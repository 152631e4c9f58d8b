"""The container detail page and its tabs, against real containers."""

import time

import pytest
from django.test import Client

from containers.ansi import ansi_to_html
from dashboard.notation.docker_stats import sample
from tests.harness.run import LABEL_KEY, RUN_ID
from tests.pages import get_ok, marked, streamed, text_of

pytestmark = pytest.mark.django_db


def test_detail_shows_the_seed_facts(member_client: Client, make_container) -> None:
    container = make_container(name="facts")
    html = get_ok(member_client, f"/engines/local/containers/{container.name}/")
    facts = marked(html, "data-fact")
    assert facts["id"] == container.id
    assert facts["hostname"] == container.id[:12]  # the seed: the hostname is the short id
    assert facts["state"] == "running"
    text = text_of(html)
    assert "-i (stdin open) -t (TTY)" in text
    assert f"docker inspect {container.name}" in text


def test_a_container_with_a_bind_mount_and_a_tmpfs_shows_them(
    admin_client: Client, engine, busybox: str, tmp_path
) -> None:
    """A CLI container with a host path mounted (which has no volume name) and a tmpfs."""
    container = engine.containers.create(
        busybox,
        "sleep 600",
        labels={LABEL_KEY: RUN_ID},
        volumes={str(tmp_path): {"bind": "/data", "mode": "ro"}},
        tmpfs={"/scratch": "size=1m"},
    )
    for url in ("", "tabs/logs/", "tabs/inspect/", "tabs/changes/"):
        get_ok(admin_client, f"/engines/local/containers/{container.id}/{url}")
    text = text_of(get_ok(admin_client, f"/engines/local/containers/{container.id}/"))
    assert f"{tmp_path} → /data (bind, ro)" in text


def test_changes_tab_lists_the_container_layer(member_client: Client, make_container) -> None:
    container = make_container(name="diff")
    container.exec_run(["sh", "-c", "echo hello > /lesson.txt && rm /bin/vi"])
    text = text_of(get_ok(member_client, f"/engines/local/containers/{container.id}/tabs/changes/"))
    assert "A /lesson.txt" in text
    assert "D /bin/vi" in text
    assert "The image" in text and "stays unchanged" in text


def test_logs_tab_tells_stdout_from_stderr(member_client: Client, make_container) -> None:
    container = make_container(
        ["sh", "-c", "echo to-out; echo to-err >&2; printf '\\033[31mred\\033[0m\\n'; sleep 600"],
        tty=False,
        stdin=False,
    )
    time.sleep(0.5)
    html = get_ok(
        member_client, f"/engines/local/containers/{container.id}/tabs/logs/?timestamps=on"
    ).decode()
    assert '<span class="log-line stdout"><span class="ts">' in html
    assert "to-out" in html.split('class="log-line stdout"', 1)[1]
    assert "to-err" in html.split('class="log-line stderr"', 1)[1]
    assert '<span class="ansi-31">red</span>' in html

    searched = get_ok(
        member_client, f"/engines/local/containers/{container.id}/tabs/logs/?q=err"
    ).decode()
    assert "to-err" in searched and "to-out" not in searched

    download = member_client.get(f"/engines/local/containers/{container.id}/logs/download/")
    assert download["Content-Disposition"].startswith("attachment")
    body = streamed(download).decode()
    assert " stdout to-out\n" in body and " stderr to-err\n" in body


def test_logs_download_streams_every_line_in_time_order(
    member_client: Client, make_container
) -> None:
    container = make_container(
        ["sh", "-c", "for i in $(seq 1 20000); do echo out-$i; echo err-$i >&2; done; sleep 600"],
        tty=False,
        stdin=False,
    )
    deadline = time.monotonic() + 30
    # The engine takes the tail of both streams before it picks stderr: the last 10 lines hold
    # the last of each (a tail of 1 is often stdout's, and then empty here).
    while b"err-20000" not in container.logs(stdout=False, tail=10) and time.monotonic() < deadline:
        time.sleep(0.2)
    download = member_client.get(f"/engines/local/containers/{container.id}/logs/download/")
    assert download.streaming
    lines = streamed(download).decode().splitlines()
    assert len(lines) == 40000
    assert sum(" stderr err-" in line for line in lines) == 20000
    stamps = [line.split(" ", 1)[0] for line in lines]
    assert stamps == sorted(stamps, key=lambda s: (s[:19], s[20:-1].ljust(9, "0")))


def test_logs_after_a_long_past_time_shows_every_line(
    member_client: Client, make_container
) -> None:
    container = make_container(["sh", "-c", "echo long-ago; sleep 600"], tty=False)
    time.sleep(0.3)
    html = get_ok(
        member_client,
        f"/engines/local/containers/{container.id}/tabs/logs/?after=1960-01-01T00:00:00Z",
    ).decode()
    assert "long-ago" in html


def test_logs_follow_returns_only_newer_lines(member_client: Client, make_container) -> None:
    container = make_container(
        ["sh", "-c", "echo first; sleep 1; echo second; sleep 600"], tty=False
    )
    time.sleep(0.3)
    first = get_ok(
        member_client, f"/engines/local/containers/{container.id}/tabs/logs/?follow=on"
    ).decode()
    assert "first" in first and "second" not in first
    after = first.split("after=", 1)[1].split("&amp;", 1)[0]
    time.sleep(1.2)
    newer = get_ok(
        member_client,
        f"/engines/local/containers/{container.id}/tabs/logs/?follow=on&after={after}",
    ).decode()
    assert "second" in newer and "first" not in newer
    assert 'id="log-follow"' in newer and "data-skipped" not in newer
    garbled = get_ok(
        member_client, f"/engines/local/containers/{container.id}/tabs/logs/?follow=on&after=x"
    )
    assert b"first" in garbled and b"second" in garbled


def test_following_a_chatty_container_is_paced(member_client: Client, make_container) -> None:
    """About 40,000 lines a second: each follow update brings at most 500, and says so."""
    container = make_container(
        ["sh", "-c", "while :; do seq 1 2000; sleep 0.05; done"], tty=False, init=True
    )
    time.sleep(0.5)
    first = get_ok(
        member_client, f"/engines/local/containers/{container.id}/tabs/logs/?follow=on"
    ).decode()
    after = first.split("after=", 1)[1].split("&amp;", 1)[0]
    time.sleep(1.1)
    url = f"/engines/local/containers/{container.id}/tabs/logs/?follow=on&tail=10000&after={after}"
    update = get_ok(member_client, url).decode()
    assert update.count('class="log-line stdout"') == 500
    assert "data-skipped" in update and "Download all" in text_of(update)


def test_stats_and_processes_tabs(member_client: Client, make_container) -> None:
    container = make_container("sleep 600", tty=False, stdin=False)
    stats_html = get_ok(member_client, f"/engines/local/containers/{container.id}/tabs/stats/")
    stats = marked(stats_html, "data-stat")
    assert stats["pids"] == "1"
    assert "%" in stats["cpu"] and " / " in stats["memory"]
    text = text_of(
        get_ok(member_client, f"/engines/local/containers/{container.id}/tabs/processes/")
    )
    assert "sleep 600" in text and "PID" in text


def test_tabs_of_a_stopped_container(member_client: Client, make_container) -> None:
    container = make_container("true", start=False)
    for tab in ("stats", "processes"):
        text = text_of(
            get_ok(member_client, f"/engines/local/containers/{container.id}/tabs/{tab}/")
        )
        assert "The container is not running." in text
    assert get_ok(member_client, f"/engines/local/containers/{container.id}/?tab=inspect")


def test_logs_the_engine_keeps_none_of_say_so(member_client: Client, make_container) -> None:
    container = make_container(log_driver="none")
    for url in (f"{container.id}/tabs/logs/", f"{container.id}/?tab=logs"):
        page = text_of(get_ok(member_client, f"/engines/local/containers/{url}"))
        assert "logging driver, “none”, keeps nothing the engine can read back" in page
    download = member_client.get(f"/engines/local/containers/{container.id}/logs/download/")
    assert download.status_code == 501
    assert "configured logging driver does not support reading" in text_of(download.content)


def test_unknown_tab_and_container(member_client: Client, make_container) -> None:
    container = make_container("true", start=False)
    assert (
        member_client.get(f"/engines/local/containers/{container.id}/tabs/nope/").status_code == 404
    )
    missing = member_client.get("/engines/local/containers/no-such-container-here/tabs/logs/")
    assert missing.status_code == 404
    assert "No such container: no-such-container-here" in text_of(missing.content)


def test_ansi_is_escaped_before_it_is_coloured() -> None:
    html = ansi_to_html("\x1b[1;32m<b>ok</b>\x1b[0m & \x1b[2Jdone")
    assert html == '<span class="ansi-32 ansi-bold">&lt;b&gt;ok&lt;/b&gt;</span> &amp; done'


def test_memory_subtracts_the_page_cache() -> None:
    stats = {
        "cpu_stats": {
            "cpu_usage": {"total_usage": 300},
            "system_cpu_usage": 2000,
            "online_cpus": 2,
        },
        "precpu_stats": {"cpu_usage": {"total_usage": 100}, "system_cpu_usage": 1000},
        "memory_stats": {"usage": 1000, "limit": 4000, "stats": {"inactive_file": 200}},
        "pids_stats": {"current": 3},
    }
    result = sample(stats)
    assert result.cpu_percent == pytest.approx(40.0)
    assert result.memory_used == 800 and result.memory_percent == pytest.approx(20.0)
    assert result.pids == 3
