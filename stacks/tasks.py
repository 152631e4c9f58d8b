from collections.abc import Callable

from django.tasks import task

from dashboard.access.roles import User
from dashboard.engine import current as engine
from dashboard.engine.errors import EngineError
from stacks import git_stacks
from stacks.models import Stack


@task()
def redeploy_from_git(stack_id: int) -> str:
    """A webhook's redeploy, run by the worker as the stack's owner (the call answers at once);
    its outcome is in the audit log."""
    return _as_owner(stack_id, git_stacks.redeploy)


@task()
def poll_git_stack(stack_id: int) -> str:
    """A poll of the stack's branch, run by the worker as its owner."""
    return _as_owner(stack_id, git_stacks.poll)


def _as_owner(stack_id: int, work: Callable[[User, Stack], str]) -> str:
    stack = Stack.objects.select_related("owner").filter(pk=stack_id).first()
    if stack is None or stack.owner is None:
        return "gone"
    with engine.on(stack.engine):
        try:
            return work(stack.owner, stack)
        except EngineError as error:  # audited where it was raised
            return error.message
