"""A real OpenID provider on loopback (node-oidc-provider, run by node: oidc_provider.mjs), and
a person's way through its development login and consent pages."""

import html
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

from tests.harness.registry import free_port

SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


class Provider:
    """``issuer`` defaults to its own address; another one makes it call itself something else.
    ``clock_offset`` (seconds) makes it issue tokens as if at another time."""

    def __init__(
        self,
        directory: Path,
        redirect_uris: list[str],
        *,
        issuer: str = "",
        clock_offset: int = 0,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = issuer or self.url
        self.client_id = "dockboard"
        self.client_secret = secrets.token_urlsafe(24)
        self.accounts = directory / "accounts.json"
        self.accounts.write_text("{}")
        self.config = {
            "issuer": self.issuer,
            "port": self.port,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": redirect_uris,
            "accounts_file": str(self.accounts),
            "clock_offset_seconds": clock_offset,
        }
        self.process: subprocess.Popen | None = None

    def set_accounts(self, accounts: dict[str, dict[str, Any]]) -> None:
        """Accounts by subject: their claims (``preferred_username``, ``email``, ``groups``)."""
        self.accounts.write_text(json.dumps(accounts))

    def settings(self) -> dict[str, str]:
        """Dockboard's settings for this provider (as ``override_settings`` takes them)."""
        return {
            "DOCKBOARD_OIDC_ISSUER": self.url,
            "DOCKBOARD_OIDC_NAME": "Test Directory",
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
        }

    def __enter__(self) -> "Provider":
        node = shutil.which("node") or "node"
        self.process = subprocess.Popen(
            [node, str(SCRIPT)],
            env={**os.environ, "OIDC_CONFIG": json.dumps(self.config)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                assert self.process.poll() is None, "the OpenID provider exited at start"
                assert time.monotonic() < deadline, "the OpenID provider did not listen"
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)


def through_provider(authorize_url: str, login: str, redirect_prefix: str) -> str:
    """Follow the provider's pages as a person would: sign in as ``login`` (the development
    pages take any password), consent, and return where it sends the browser back to."""
    browser = requests.Session()
    url, answer = authorize_url, None
    for _step in range(12):
        answer = browser.get(url, allow_redirects=False, timeout=10)
        while answer.status_code in (302, 303):
            url = urljoin(url, answer.headers["Location"])
            if url.startswith(redirect_prefix):
                return url
            answer = browser.get(url, allow_redirects=False, timeout=10)
        action = FORM_ACTION.search(answer.text)
        assert answer.status_code == 200 and action, answer.text[:500]
        fields = {"prompt": "consent"} if 'value="consent"' in answer.text else {
            "prompt": "login", "login": login, "password": "any"
        }  # fmt: skip
        answer = browser.post(
            urljoin(url, html.unescape(action.group(1))), data=fields, allow_redirects=False,
            timeout=10,
        )  # fmt: skip
        url = urljoin(url, answer.headers["Location"])
        if url.startswith(redirect_prefix):
            return url
    raise AssertionError(
        f"the provider never sent the browser back: {answer and answer.text[:300]}"
    )
