"""Audit streaming: every row reaches syslog (a real rsyslogd on loopback), a JSON-lines file
and an HTTP endpoint, in order, through a receiver's stop and restart and an endpoint's
failures; syslog over TLS checks the receiver's certificate."""

import http.server
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client, override_settings

from audit.models import AuditCursor
from audit.streaming import Delivery, step
from audit.syslog import SyslogSink
from dashboard.actions import audit
from dashboard.models import AuditEvent
from tests.harness.accounts import signed_in
from tests.harness.registry import free_port
from tests.harness.rsyslog import Rsyslog
from tests.pages import text_of

pytestmark = pytest.mark.django_db(transaction=True)
TOKEN = "audit-endpoint-token"
SINK_SETTINGS = ("DOCKBOARD_AUDIT_SYSLOG", "DOCKBOARD_AUDIT_FILE", "DOCKBOARD_AUDIT_HTTP")


class Endpoint(http.server.ThreadingHTTPServer):
    """A JSON-lines receiver that answers 503 to its first ``failing`` POSTs."""

    def __init__(self, failing: int) -> None:
        super().__init__(("127.0.0.1", free_port()), EndpointHandler)
        self.failing = failing
        self.refused = 0
        self.records: list[dict] = []
        self.authorizations: set[str] = set()


class EndpointHandler(http.server.BaseHTTPRequestHandler):
    server: Endpoint

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.authorizations.add(self.headers.get("Authorization", ""))
        if self.server.refused < self.server.failing:
            self.server.refused += 1
            self.send_response(503)
        else:
            self.server.records.extend(json.loads(line) for line in body.splitlines())
            self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    server = Endpoint(failing=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Rsyslog]:
    syslog = Rsyslog(tmp_path / "rsyslog")
    syslog.directory.mkdir()
    syslog.start()
    yield syslog
    syslog.stop()


def write_rows(count: int, first: int = 0) -> None:
    for number in range(first, first + count):
        name = f"c{number}"
        if number % 3:
            command = f"docker create --name {name} busybox"
            audit.record(None, "create", target_kind="container", target_name=name,
                         actor_name="kim", command=command)  # fmt: skip
        else:
            audit.refused(None, "create", "members may not use --privileged",
                          target_kind="container", actor_name="lee")  # fmt: skip


def until(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def streaming_to(receiver: Rsyslog, lines: Path, endpoint: Endpoint) -> override_settings:
    """The settings the streamer runs with, for the page that reports on it."""
    return override_settings(
        DOCKBOARD_AUDIT_SYSLOG=f"tcp://127.0.0.1:{receiver.port}",
        DOCKBOARD_AUDIT_FILE=str(lines),
        DOCKBOARD_AUDIT_HTTP=f"http://127.0.0.1:{endpoint.server_port}/audit?source=dockboard",
    )


def ids_of(records: list[dict]) -> list[int]:
    return [record["id"] for record in records]


def test_every_row_reaches_each_sink_in_order_through_a_receivers_stop_and_restart(
    start_command,
    receiver: Rsyslog,
    endpoint: Endpoint,
    tmp_path: Path,
    admin_client: Client,
    instructor: User,
) -> None:
    lines = tmp_path / "audit.jsonl"
    with streaming_to(receiver, lines, endpoint):
        environment = {name: getattr(settings, name) for name in SINK_SETTINGS}
    start_command("streamaudit", "--interval", "0.2",
                  env={**environment, "DOCKBOARD_AUDIT_HTTP_TOKEN": TOKEN})  # fmt: skip
    write_rows(300)
    until(lambda: len(receiver.received()) >= 300, 30, "the first rows never reached syslog")

    receiver.stop()
    write_rows(700, first=300)  # more than one batch while the receiver is down
    until(
        lambda: AuditCursor.objects.filter(sink="syslog", failing_since__isnull=False).exists(),
        15,
        "the streamer never noticed that the receiver was down",
    )
    failing = AuditCursor.objects.get(sink="syslog")
    assert "Connection refused" in failing.last_error
    assert failing.delivered_id <= 300 + 1  # nothing the receiver missed counts as delivered
    with streaming_to(receiver, lines, endpoint):
        shown = text_of(admin_client.get("/audit/").content)
        syslog = shown[shown.index("Streamed to syslog") :][:200]
        assert f"tcp://127.0.0.1:{receiver.port} : failing since" in syslog, shown[:900]
        assert "Connection refused" in syslog
        assert "rows wait, and are sent once it is back" in syslog
        assert "answered 503 Service Unavailable" in shown
        assert "source=dockboard" not in shown  # a query may hold a secret
        assert "Streamed to" not in text_of(signed_in(instructor).get("/audit/").content)

    receiver.start()
    write_rows(100, first=1000)
    every = list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))
    assert len(every) >= 1100  # and the sign-ins of the two who read the page
    until(lambda: set(ids_of(receiver.received())) >= set(every), 60, "rows missing in syslog")
    until(lambda: ids_of(endpoint.records) == every, 30, "rows missing at the endpoint")
    until(
        lambda: all(c.delivered_id == every[-1] and not c.last_error
                    for c in AuditCursor.objects.all()) and AuditCursor.objects.count() == 3,
        30,
        "the cursors never caught up",
    )  # fmt: skip

    with streaming_to(receiver, lines, endpoint):
        shown = text_of(admin_client.get("/audit/").content)
        assert shown.count(": up to date.") == 3, shown[:600]

    # Syslog: each row at least once (a send the stop may have dropped is sent again), first
    # seen in order; RFC 5424 as rsyslog parsed it, with the row's severity.
    first_seen = list(dict.fromkeys(ids_of(receiver.received())))
    assert first_seen == every
    refused = AuditEvent.objects.filter(outcome="refused").first()
    line = next(line for line in receiver.lines() if f' id="{refused.pk}" ' in line)
    assert line.startswith('84 create [dockboard@32473 id="')  # authpriv.warning
    assert 'actor="lee" outcome="refused"' in line
    assert json.loads(line[line.index("] {") + 2 :])["reason"] == (
        "members may not use --privileged"
    )
    assert next(receiver.lines()[i] for i in range(3) if 'outcome="ok"' in receiver.lines()[i])

    # The file and the endpoint acknowledge what they take: each row exactly once, in order.
    written = [json.loads(line) for line in lines.read_text().splitlines()]
    assert ids_of(written) == every
    first_create = next(r for r in written if r["target_name"] == "c1")
    assert first_create["command"] == "docker create --name c1 busybox"
    assert first_create["outcome"] == "ok" and first_create["actor"] == "kim"
    assert endpoint.refused == 2 and endpoint.authorizations == {f"Bearer {TOKEN}"}


def test_rows_a_receiver_closed_on_unread_are_sent_again(tmp_path: Path) -> None:
    """Plain syslog over TCP has no acknowledgement: rows a receiver took into its socket but
    never read are lost when it goes. The streamer confirms a send only after the connection has
    stayed up a while, so it sends those rows again on the next connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    delivery = Delivery(SyslogSink(f"tcp://127.0.0.1:{listener.getsockname()[1]}"))
    write_rows(3)
    assert step(delivery, "test") == 3
    dropped, _address = listener.accept()
    time.sleep(0.2)  # the rows are in its socket, unread
    dropped.close()  # closed on unread data: a reset
    time.sleep(0.2)
    assert step(delivery, "test") == 3
    second, _address = listener.accept()
    second.settimeout(5)
    received = b""
    while received.count(b"[dockboard@32473") < 3:
        received += second.recv(65536)
    every = list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))
    assert [int(m) for m in re.findall(rb'\[dockboard@32473 id="(\d+)"', received)] == every
    time.sleep(SyslogSink.confirm_seconds)
    assert step(delivery, "test") == 0  # nothing new, and the three are now confirmed
    assert AuditCursor.objects.get(sink="syslog").delivered_id == every[-1]
    second.close()
    listener.close()
    delivery.sink.close()


def pem_files(tmp_path: Path, ca: trustme.CA, name: str) -> Path:
    path = tmp_path / f"{name}.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def test_syslog_over_tls_takes_rows_only_from_a_receiver_with_a_trusted_certificate(
    tmp_path: Path,
) -> None:
    authority, stranger = trustme.CA(), trustme.CA()
    issued = authority.issue_cert("127.0.0.1")
    chain, key = tmp_path / "chain.pem", tmp_path / "key.pem"
    issued.cert_chain_pems[0].write_to_path(str(chain))
    issued.private_key_pem.write_to_path(str(key))
    receiver = Rsyslog(tmp_path, certificate=(chain, key))
    receiver.start()
    try:
        audit.record(None, "login", target_kind="user", actor_name="park")
        url = f"tls://127.0.0.1:{receiver.port}"

        untrusted = Delivery(SyslogSink(url, cafile=str(pem_files(tmp_path, stranger, "other"))))
        assert step(untrusted, "test") == 0
        assert "CERTIFICATE_VERIFY_FAILED" in AuditCursor.objects.get(sink="syslog").last_error

        trusted = Delivery(SyslogSink(url, cafile=str(pem_files(tmp_path, authority, "ca"))))
        assert step(trusted, "test") == 1
        until(lambda: receiver.received(), 15, "nothing arrived over TLS")
        assert [r["actor"] for r in receiver.received()] == ["park"]
        assert receiver.received()[0]["action"] == "login"
        trusted.sink.close()
    finally:
        receiver.stop()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writes")
def test_a_row_committed_after_a_later_one_is_not_skipped(tmp_path: Path) -> None:
    """On PostgreSQL a row's id is taken when it is written, not when it commits: the streamer
    waits for a missing id before it sends the rows after it."""
    delivery = Delivery(_FileLikeSink(tmp_path / "out.jsonl"))
    audit.record(None, "first", actor_name="first")
    assert step(delivery, "test") == 1
    holding, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                audit.record(None, "slow", actor_name="slow")
                holding.set()
                release.wait(20)
        finally:
            connections.close_all()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert holding.wait(20)
    audit.record(None, "quick", actor_name="quick")
    assert step(delivery, "test") == 0  # the quick row waits behind the uncommitted one
    release.set()
    writer.join(20)
    assert step(delivery, "test") == 2
    sent = (tmp_path / "out.jsonl").read_text().splitlines()
    assert [json.loads(line)["action"] for line in sent] == ["first", "slow", "quick"]


def _FileLikeSink(path: Path):
    from audit.json_lines import FileSink

    return FileSink(str(path))


def test_a_wrong_sink_setting_stops_the_streamer_with_a_message() -> None:
    with (
        override_settings(DOCKBOARD_AUDIT_SYSLOG="udp://127.0.0.1:514"),
        pytest.raises(CommandError, match="tcp://HOST:PORT or tls://HOST:PORT"),
    ):
        call_command("streamaudit")
    with pytest.raises(CommandError, match="No audit sink is configured"):
        call_command("streamaudit")


def test_the_streamer_runs_beside_the_server_only_when_a_sink_is_set(tmp_path: Path) -> None:
    config = apps.get_app_config("audit")
    assert config.background_commands == {}
    with override_settings(DOCKBOARD_AUDIT_FILE=str(tmp_path / "audit.jsonl")):
        assert config.background_commands == {"audit streamer": ["streamaudit"]}
