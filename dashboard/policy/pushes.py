"""The policy gate for `docker push`: never to link-local or Dockboard's own address (as a pull);
members push the images they built or committed, instructors their team's, each under a name
their team's allow-list holds, with that team's stored login. Administrators push anything."""

from django.utils.translation import gettext as _

from dashboard.access.roles import Rights, User, grants_for
from dashboard.engine import current as engine
from dashboard.engine import images as engine_images
from dashboard.engine.errors import NotFound
from dashboard.models import Team
from dashboard.notation.reference import InvalidReference, parse_reference
from dashboard.policy import ownership, registry_guard, registry_logins
from dashboard.policy.image_patterns import matches
from dashboard.policy.refusals import PolicyRefusal
from dashboard.policy.seal import SEAL
from dashboard.policy.sealed import CheckedPush


def check_push(user: User, name: str) -> CheckedPush:
    """``name`` (repository:tag) checked for a push by ``user``; ``PolicyRefusal`` says why
    not. A name the user may not see answers as a missing one."""
    grants = grants_for(user)
    try:
        reference = parse_reference(name)
    except InvalidReference as error:
        raise PolicyRefusal("reference", error.message) from None
    if reference.digest:
        raise PolicyRefusal("reference", _("A push names a tag, not a digest."))
    try:
        registry_guard.check_registry(reference.domain)
    except registry_guard.ForbiddenRegistry as exc:
        raise PolicyRefusal("reference", exc.message) from None
    missing = NotFound(_("No such image: %(ref)s") % {"ref": reference.familiar})
    if not grants.has_team:
        raise missing
    try:
        image = engine_images.inspect_image(reference.familiar)
    except NotFound:
        raise missing from None
    if reference.familiar not in _familiar_tags(image):
        raise missing  # a digest or an id that happens to parse as a name
    if not grants.admin:
        owner = ownership.owner_of(ownership.Kind.IMAGE, image["Id"])
        if grants.rights(owner) is not Rights.WRITE:
            raise PolicyRefusal(
                "reference",
                _("You may push only the images you built or committed here (an instructor: "
                  "the team's)."),
            )  # fmt: skip
        team = Team.objects.get(pk=owner.team_id)
        if not matches(team.image_patterns, str(reference)):
            raise PolicyRefusal(
                "reference",
                _("%(image)s is not on the list of images team %(team)s may use: tag the "
                  "image with a name it holds.")
                % {"image": reference.familiar, "team": team.name},
            )  # fmt: skip
    auth = registry_logins.login_for(user, reference, engine.current_name())
    return CheckedPush(reference, image["Id"], auth, seal=SEAL)


def _familiar_tags(image: dict) -> set[str]:
    return {
        parse_reference(tag).familiar
        for tag in image.get("RepoTags") or []
        if tag != "<none>:<none>"
    }
