from django.tasks import task

from dashboard.engine import current as engine
from dashboard.engine.errors import EngineError
from stacks import git_stacks
from stacks.models import Stack


@task()
def redeploy_from_git(stack_id: int) -> str:
    """A webhook's redeploy, run by the worker as the stack's owner (the call answers at once);
    its outcome is in the audit log."""
    stack = Stack.objects.select_related("owner").filter(pk=stack_id).first()
    if stack is None or stack.owner is None:
        return "gone"
    with engine.on(stack.engine):
        try:
            return git_stacks.redeploy(stack.owner, stack)
        except EngineError as error:  # audited where it was raised
            return error.message
