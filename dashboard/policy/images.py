"""Images through the gate: the images a team may run, and `docker pull`."""

from django.utils.translation import gettext as _

from dashboard.access.roles import User, grants_for
from dashboard.engine import current as engine
from dashboard.engine import images as engine_images
from dashboard.engine.errors import NotFound
from dashboard.models import Team
from dashboard.notation.reference import ImageReference
from dashboard.policy import ownership, registry_guard, registry_logins
from dashboard.policy.image_patterns import matches
from dashboard.policy.refusals import PolicyRefusal, refuse
from dashboard.policy.seal import SEAL
from dashboard.policy.sealed import CheckedPull


def check_image(team: Team, image: str) -> None:
    if not matches(team.image_patterns, image):
        raise PolicyRefusal(
            "image",
            _("%(image)s is not on the list of images team %(team)s may use.")
            % {"image": image, "team": team.name},
        )


def check_not_taken(user_id: int | None, target: ImageReference, field: str) -> None:
    """A name a member makes an image under (a commit's, a build's tag) never takes another's
    image's: a shared tag is never overwritten."""
    try:
        existing = engine_images.inspect_image(target.familiar)
    except NotFound:
        return
    owner = ownership.owner_of(ownership.Kind.IMAGE, existing["Id"])
    if owner is None or owner.owner_id != user_id:
        raise PolicyRefusal(
            field,
            _("%(name)s already names an image that is not yours: choose another name.")
            % {"name": target.familiar},
        )


def check_pull(user: User, reference: ImageReference, platform: str = "") -> CheckedPull:
    """`docker pull`: never from link-local or Dockboard's own address; members and instructors
    only what one of their teams' allow-lists names."""
    grants = grants_for(user)
    target = {"target_kind": "image", "target_name": reference.familiar}
    try:
        registry_guard.check_registry(reference.domain)
    except registry_guard.ForbiddenRegistry as exc:
        refuse(user, "pull", PolicyRefusal("reference", exc.message), None, **target)
    if not grants.admin:
        teams = Team.objects.filter(pk__in=grants.teams_with("instructor", "member"))
        if not any(matches(team.image_patterns, str(reference)) for team in teams):
            refuse(
                user,
                "pull",
                PolicyRefusal(
                    "reference",
                    _("%(image)s is not on the list of images your teams may use.")
                    % {"image": reference.familiar},
                ),
                None,
                **target,
            )
    auth = registry_logins.login_for(user, reference, engine.current_name())
    return CheckedPull(reference, platform, auth, seal=SEAL)
