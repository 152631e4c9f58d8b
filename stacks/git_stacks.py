"""Stacks read from a Git repository: fetched on demand (previewed on the page like any new
file), redeployed by a webhook signed with the stack's secret, GitHub's way (the body's
HMAC-SHA256 in ``X-Hub-Signature-256: sha256=HEX``), or polled by the worker every so many
minutes."""

import hashlib
import hmac
import secrets

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.engine.errors import BadParameter, EngineError
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


def redeploy(
    user: User, stack: Stack, fetched: Fetched | None = None, action: str = "stack-webhook"
) -> str:
    """A redeploy from the branch, as the stack's owner: fetch (unless ``fetched``), then `up`
    what changed. ``action`` names who asked in the audit log: the webhook or the poll."""
    target = {"target_kind": "stack", "target_name": stack.name, "team_id": stack.team_id}
    with audit.audited(user, action, command_line(stack.name, "pull"), **target):
        fetched = fetched or fetch_for(stack)
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


def set_poll(user: User, stack: Stack, minutes: int) -> str:
    """How often the worker polls the branch (0: never); audited."""
    command = f"poll {stack.git_url} {stack.git_branch} every {minutes} min"
    target = {"target_kind": "stack", "target_name": stack.name, "team_id": stack.team_id}
    with audit.audited(user, "stack-poll-set", command, **target):
        stack.git_poll_minutes = minutes
        stack.save(update_fields=["git_poll_minutes"])
    if not minutes:
        return _("Stack %(name)s is no longer polled.") % {"name": stack.name}
    return ngettext(
        "Stack %(name)s polls its branch every minute.",
        "Stack %(name)s polls its branch every %(minutes)d minutes.",
        minutes,
    ) % {"name": stack.name, "minutes": minutes}


def poll(user: User, stack: Stack) -> str:
    """One poll: the branch fetched, and deployed if it has moved. A poll that finds nothing
    new writes nothing to the audit log (it runs every few minutes); one that cannot fetch
    keeps why on the stack, for its page."""
    try:
        fetched = fetch_for(stack)
    except EngineError as error:
        Stack.objects.filter(pk=stack.pk).update(git_poll_error=error.message[:500])
        return error.message
    Stack.objects.filter(pk=stack.pk).update(git_poll_error="")
    if fetched.commit == stack.git_commit:
        return _("Stack %(name)s is at commit %(commit)s already.") % {
            "name": stack.name, "commit": fetched.commit[:12]
        }  # fmt: skip
    return redeploy(user, stack, fetched, action="stack-poll")
