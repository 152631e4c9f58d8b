"""The gatekeeper of stacks: a stack is its owner's and its team's as a container is (members
their own, instructors and viewers their team's, administrators all); a missing stack and
someone else's answer "not found" alike."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dashboard.access.roles import Rights, User, grants_for
from dashboard.engine import current as engine
from dashboard.engine.errors import Denied, NotFound
from dashboard.policy.ownership import Owner
from stacks.models import Stack


def visible_stacks(user: User) -> list[tuple[Stack, Rights]]:
    """The current engine's stacks the user may see, with their rights on each."""
    grants = grants_for(user)
    found = []
    for stack in _on_this_engine().select_related("team", "owner"):
        rights = grants.rights(Owner(stack.owner_id, stack.team_id))
        if rights is not Rights.NONE:
            found.append((stack, rights))
    return found


def access_stack(user: User, name: str, *, change: bool = False) -> tuple[Stack, Rights]:
    """The stack and the user's rights on it; ``NotFound`` alike for a missing or hidden one,
    ``Denied`` when ``change`` is asked of a user who may only look."""
    stack = _on_this_engine().filter(name=name).first()
    rights = grants_for(user).rights(Owner(stack.owner_id, stack.team_id)) if stack else None
    if stack is None or rights is Rights.NONE:
        raise NotFound(_("No such stack: %(name)s") % {"name": name})
    if change and rights is not Rights.WRITE:
        raise Denied(_("You may look at stack %(name)s, not change it.") % {"name": name})
    return stack, rights


def _on_this_engine() -> QuerySet[Stack]:
    return Stack.objects.filter(engine=engine.current_name())
