"""A real rsyslogd (Debian's rsyslog) on a free loopback port, writing what it receives to a
file: the receiver of the audit stream. It can be stopped and started again on the same port,
and take TLS (rsyslog-gnutls) with a certificate the test made."""

import json
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.harness.registry import free_port

RECEIVED = "received.log"
# What the receiver keeps of each message: its PRI, MSGID, structured data and text, on one line.
TEMPLATE = "%pri% %msgid% %structured-data% %msg%\\n"


class Rsyslog:
    def __init__(self, directory: Path, *, certificate: tuple[Path, Path] | None = None) -> None:
        self.directory = directory
        self.port = free_port()
        self.certificate = certificate  # (the chain's PEM, the key's PEM)
        self.process: subprocess.Popen | None = None

    def _configuration(self) -> str:
        tls = ""
        driver = ""
        if self.certificate:
            chain, key = self.certificate
            tls = (
                f' DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCertFile="{chain}"'
                f' DefaultNetstreamDriverKeyFile="{key}"'
            )
            driver = ' StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon"'
        return (
            f'global(workDirectory="{self.directory}"{tls})\n'
            f'module(load="imtcp"{driver})\n'
            f'input(type="imtcp" address="127.0.0.1" port="{self.port}")\n'
            f'template(name="row" type="string" string="{TEMPLATE}")\n'
            f'*.* action(type="omfile" file="{self.directory / RECEIVED}" template="row")\n'
        )

    def start(self) -> None:
        configuration = self.directory / "rsyslog.conf"
        configuration.write_text(self._configuration())
        binary = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
        self.process = subprocess.Popen(
            [binary, "-n", "-f", str(configuration), "-i", str(self.directory / "pid")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert self.process.poll() is None, "rsyslogd exited at start"
                assert time.monotonic() < deadline, "rsyslogd did not listen"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=15)

    def received(self) -> list[dict[str, Any]]:
        """Each message's JSON (the text after the structured data), in the order received."""
        path = self.directory / RECEIVED
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return [json.loads(line[line.index("] {") + 2 :]) for line in lines]

    def lines(self) -> list[str]:
        path = self.directory / RECEIVED
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []
