"""The policy gate for volumes: a user's own named volume in a team, labelled as theirs so that
the gate lets their containers mount it (and nobody else's). Driver options (an NFS export, a
bind to a host path) are for administrators. Each counts against the team's volume quota."""

from django.db import transaction
from django.utils.translation import gettext as _

from dashboard.access.roles import User, grants_for
from dashboard.engine import volumes as engine_volumes
from dashboard.models import Team
from dashboard.policy import ownership, quotas
from dashboard.policy.creation import owned_labels
from dashboard.policy.refusals import PolicyRefusal, locked_team
from dashboard.policy.seal import SEAL
from dashboard.policy.sealed import CheckedVolume


def create_volume(
    user: User,
    team: Team | None,
    name: str,
    asked_labels: dict[str, str],
    driver_options: dict[str, str],
) -> str:
    """`docker volume create` with the user's ownership labels; the volume's name."""
    grants = grants_for(user)
    if team is None and not grants.admin:
        raise PolicyRefusal("team", _("Choose the team this volume belongs to."))
    if team is not None and not grants.may_create_in(team.pk):
        raise PolicyRefusal("team", _("You may not create volumes in this team."))
    if not ownership.OBJECT_NAME.match(name):
        raise PolicyRefusal(
            "name",
            _(
                "Use letters, digits, and _ . - (at least two characters, starting with a "
                "letter or digit)."
            ),
        )
    if driver_options and not grants.admin:
        raise PolicyRefusal("driver_options", _("Driver options are for administrators."))
    labels, mark = ownership.volume_labels(owned_labels(grants, team, [asked_labels]))
    checked = CheckedVolume(name, labels, driver_options, seal=SEAL)
    with transaction.atomic():  # the team locked: parallel creates never pass its quota together
        if team is not None and not grants.admin:
            team = locked_team(grants, team.pk)
            if reason := quotas.refusal_of(team, grants.user_id, quotas.Usage(volumes=1)):
                raise PolicyRefusal("__all__", reason)
        created = engine_volumes.create_volume(checked)["Name"]
        ownership.record(
            ownership.Kind.VOLUME, created, grants.user_id, team and team.pk, mark=mark
        )
    return created
