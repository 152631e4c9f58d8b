"""Audit streaming (issue 33): how many audit rows Dockboard writes per second with the syslog
sink on, against the same with it off, in one run; and how soon the rows reach the receiver.

Usage: .venv/bin/python bench/audit_stream.py [--seconds 10] [--rounds 3]

A real rsyslogd listens on loopback. Each round writes audit rows for --seconds, as actions do
(`dashboard.actions.audit.record`, one row a call, in autocommit), once with no streamer and
once with `manage.py streamaudit` sending them to rsyslog over TCP; the rounds alternate. The
streamer shares the database (SQLite here, or DOCKBOARD_DATABASE_URL) and the machine with the
writer. After a round with the streamer, the wait until rsyslog has every row is the lag.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import short
from django.core.management import call_command
from support import ROOT

from audit.models import AuditCursor
from dashboard.actions import audit
from dashboard.models import AuditEvent
from tests.harness.rsyslog import Rsyslog


def write_for(seconds: float) -> int:
    written = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        audit.record(None, "stop", target_kind="container", target_name=f"box-{written}",
                     actor_name="bench", command=f"docker stop box-{written}")  # fmt: skip
        written += 1
    return written


def received_count(receiver: Rsyslog) -> int:
    path = receiver.directory / "received.log"
    return path.read_bytes().count(b"\n") if path.exists() else 0


def streamed_round(receiver: Rsyslog, seconds: float) -> tuple[int, float]:
    """Rows written with the streamer running; the wait after the last until rsyslog had all."""
    before = received_count(receiver)
    audit.record(None, "bench-start", actor_name="bench")
    streamer = subprocess.Popen(
        [sys.executable, "manage.py", "streamaudit"],
        cwd=ROOT,
        env={**os.environ, "DOCKBOARD_AUDIT_SYSLOG": f"tcp://127.0.0.1:{receiver.port}"},
    )
    try:
        # Started, and its first row through, before the clock starts.
        while received_count(receiver) == before:
            time.sleep(0.05)
        before = received_count(receiver)
        written = write_for(seconds)
        ended = time.perf_counter()
        while received_count(receiver) - before < written:
            time.sleep(0.01)
        return written, time.perf_counter() - ended
    finally:
        streamer.terminate()
        streamer.wait()


def main(args) -> None:
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="dockboard-audit-bench-") as work:
        receiver = Rsyslog(Path(work))
        receiver.start()
        try:
            off, on, lags = [], [], []
            for _round in range(args.rounds):
                AuditEvent.objects.all().delete()
                AuditCursor.objects.all().delete()  # each streamed round sends its rows only
                off.append(write_for(args.seconds) / args.seconds)
                AuditEvent.objects.all().delete()
                written, lag = streamed_round(receiver, args.seconds)
                on.append(written / args.seconds)
                lags.append(lag)
        finally:
            receiver.stop()
            AuditEvent.objects.all().delete()
            AuditCursor.objects.all().delete()
    median_off, median_on = statistics.median(off), statistics.median(on)
    print(
        f"audit rows written a second ({args.rounds} rounds of {args.seconds:g} s, medians): "
        f"syslog sink off {median_off:,.0f}, on {median_on:,.0f}: "
        f"ratio {median_on / median_off:.2f}"
    )
    print(
        f"rsyslog had every row {statistics.median(lags) * 1000:.0f} ms after the last was "
        f"written (median; max {max(lags) * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    main(short.parse(parser, seconds=2, rounds=1))
