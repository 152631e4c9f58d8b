"""What other apps add to a team's page, which the teams app renders without importing them: a
receiver of ``sections`` (sent with ``team`` and ``user``) answers a ``Section`` for that user,
or None when it has nothing to show them."""

from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal

sections = Signal()


@dataclass(frozen=True)
class Section:
    """A template included on the team's page, with ``context`` as ``section.context``."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


def sections_for(team: object, user: object) -> list[Section]:
    return [found for _receiver, found in sections.send(sender=Section, team=team, user=user)
            if found is not None]  # fmt: skip
