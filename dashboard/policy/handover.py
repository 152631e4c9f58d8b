"""Handing what an instructor made for the team to one of its members: a class's warm session,
made before its learner came, becomes the learner's when they claim it.

The ownership record changes hands, so the member's rights and quota follow it at once. The
engine's labels cannot change after a create, and never gave rights: the membership's
``handed_over`` has the member's lists read the team's objects, narrowed by the records, so
that they find these, whose owner label is empty (``Grants.list_filters``).
"""

from django.db import transaction

from dashboard.access.roles import User, grants_for
from dashboard.engine import current as engine
from dashboard.models import Membership, OwnershipRecord
from dashboard.policy import quotas
from dashboard.policy.refusals import PolicyRefusal, locked_team, refuse

Kind = OwnershipRecord.Kind


def hand_over(user: User, team_id: int, lab_session: str) -> int:
    """Give the team's unowned objects of ``lab_session`` on the current engine to ``user``, a
    member who may create in the team; refused, with the numbers, when their own quota has no
    room for its containers. How many objects changed hands."""
    grants = grants_for(user)
    team = None
    try:
        with transaction.atomic():
            team = locked_team(grants, team_id)
            records = OwnershipRecord.objects.filter(
                engine=engine.current_name(),
                team=team,
                lab_session=lab_session,
                owner_id__isnull=True,
            )
            asked = quotas.Usage()
            for memory, nano_cpus in records.filter(kind=Kind.CONTAINER).values_list(
                "memory", "nano_cpus"
            ):
                asked.containers += 1
                asked.memory += memory
                asked.nano_cpus += nano_cpus
            if not grants.admin and (
                reason := quotas.refusal_of(team, user.pk, asked, member_only=True)
            ):
                raise PolicyRefusal("__all__", reason)
            Membership.objects.filter(user=user, team=team).update(handed_over=True)
            return records.update(owner_id=user.pk)
    except PolicyRefusal as refusal:
        refuse(user, "claim", refusal, team, target_kind="lab", target_id=lab_session)
