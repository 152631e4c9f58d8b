"""Stacks read from a Git repository: fetched on demand (previewed on the page like any new
file) or redeployed by a webhook signed with the stack's secret, GitHub's way: the body's
HMAC-SHA256 in ``X-Hub-Signature-256: sha256=HEX``."""

import hashlib
import hmac
import secrets

from django.utils.translation import gettext as _

from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.engine.errors import BadParameter
from dashboard.notation import compose_file, compose_project
from dashboard.notation.compose_file import ComposeError
from dashboard.ops import vault
from dashboard.ops.git_clone import check_branch
from dashboard.policy.git_sources import check_git_source
from stacks import deploy
from stacks.git_fetch import Fetched, check_paths, fetch
from stacks.models import Stack
from stacks.plan import command_line

SIGNATURE_HEADER = "X-Hub-Signature-256"


def fetch_for(stack: Stack) -> Fetched:
    """The stack's files at its branch's newest commit."""
    source = check_git_source(stack.git_url)
    return fetch(source, check_branch(stack.git_branch), check_paths(stack.git_paths))


def give_webhook_secret(stack: Stack) -> None:
    stack.webhook_secret = vault.encrypt(secrets.token_urlsafe(32))


def webhook_secret(stack: Stack) -> str:
    return vault.decrypt(stack.webhook_secret) if stack.webhook_secret else ""


def signed(stack: Stack, body: bytes, header: str) -> bool:
    """Whether ``header`` is the body's signature with the stack's secret (compared in
    constant time)."""
    secret = webhook_secret(stack)
    if not secret or not stack.git_url or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


def redeploy(user: User, stack: Stack) -> str:
    """The webhook's redeploy, as the stack's owner: fetch, then `up` what changed."""
    target = {"target_kind": "stack", "target_name": stack.name, "team_id": stack.team_id}
    with audit.audited(user, "stack-webhook", command_line(stack.name, "pull"), **target):
        fetched = fetch_for(stack)
        try:
            document = compose_file.read(fetched.compose, stack.env)
            project = compose_project.project(stack.name, document)
        except ComposeError as error:
            raise BadParameter(
                _("Commit %(commit)s: %(error)s") % {"commit": fetched.commit[:12], "error": error}
            ) from None
    if fetched.commit == stack.git_commit and fetched.compose == stack.compose:
        return _("Stack %(name)s is at commit %(commit)s already.") % {
            "name": stack.name, "commit": fetched.commit[:12]
        }  # fmt: skip
    stack.compose, stack.git_commit = fetched.compose, fetched.commit
    return deploy.up(user, stack, project)
