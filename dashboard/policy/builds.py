"""The policy gate for `docker build`: every image a Dockerfile builds from (``FROM``, and
``COPY --from`` an image) is one the team may use, the tag lands in the builder's namespace (the
allow-list names it, and no one else's image holds it), no step reaches the host's network or
fetches a URL from the engine's, and the team's limits on time, memory and size are set.
Administrators may build anything but a step on the host's network."""

from django.utils.translation import gettext as _

from dashboard.access.roles import Grants, User, grants_for
from dashboard.engine.errors import BadParameter
from dashboard.models import Team
from dashboard.notation.dockerfile import Instruction, instructions, substituted
from dashboard.notation.reference import InvalidReference, parse_reference
from dashboard.policy.images import check_image, check_not_taken
from dashboard.policy.refusals import PolicyRefusal
from dashboard.policy.seal import SEAL
from dashboard.policy.sealed import CheckedBuild

NO_IMAGE = "scratch"
HOST_FLAGS = ("network", "security", "device")  # BuildKit's RUN flags that reach the host
URL_SCHEMES = ("http://", "https://", "git@", "git://", "ssh://")


def check_build(
    user: User,
    team_id: int | None,
    dockerfile: str,
    tag: str,
    build_args: dict[str, str],
    target: str,
) -> CheckedBuild:
    grants = grants_for(user)
    team = _team(grants, team_id)
    try:
        steps = instructions(dockerfile)
    except BadParameter as error:
        raise PolicyRefusal("dockerfile", error.message) from None
    if not any(step.keyword == "FROM" for step in steps):
        raise PolicyRefusal("dockerfile", _("A Dockerfile names the image it starts from: FROM."))
    _check_steps(grants, team, steps, build_args, target)
    try:
        reference = parse_reference(tag)
    except InvalidReference as error:
        raise PolicyRefusal("tag", error.message) from None
    if reference.digest:
        raise PolicyRefusal("tag", _("A build is tagged by name and tag, not by digest."))
    if team is not None and not grants.admin:
        try:
            check_image(team, reference.familiar)
        except PolicyRefusal as refusal:
            raise PolicyRefusal("tag", refusal.message) from None
        check_not_taken(grants.user_id, reference, "tag")
    limited = team is not None and not grants.admin
    return CheckedBuild(
        reference.familiar,
        build_args,
        target,
        memory=team.max_memory if limited else 0,
        seconds=team.build_minutes * 60 if limited else 0,
        most_bytes=team.build_size if limited else 0,
        owner_id=grants.user_id,
        team_id=team and team.pk,
        seal=SEAL,
    )


def _team(grants: Grants, team_id: int | None) -> Team | None:
    if team_id is None:
        if grants.admin:
            return None
        raise PolicyRefusal("team", _("Choose the team this image is built in."))
    team = Team.objects.filter(pk=team_id).first()
    if team is None or not grants.may_create_in(team.pk):
        raise PolicyRefusal("team", _("You may not build images in this team."))
    return team


def _check_steps(
    grants: Grants, team: Team | None, steps: list[Instruction], args: dict[str, str], target: str
) -> None:
    values = {}  # the ARGs before the first FROM, which FROM lines may use
    for step in steps:
        if step.keyword == "FROM":
            break
        if step.keyword == "ARG":
            name, has_default, default = step.arguments.partition("=")
            name = name.strip()
            if name in args:
                values[name] = args[name]
            elif has_default:
                values[name] = default.strip().strip("\"'")
    stages: list[str] = []
    for step in steps:
        if step.keyword == "FROM":
            words = substituted(step.arguments, values).split()
            image = words[0] if words else ""
            _check_base(grants, team, image, stages, step)
            stages.append(words[2].lower() if len(words) == 3 and words[1].lower() == "as" else "")
        elif step.keyword == "RUN" and (
            flag := next((f for f in HOST_FLAGS if f in step.flags), None)
        ):
            raise PolicyRefusal(
                "dockerfile",
                _("Line %(line)d: RUN --%(flag)s reaches the host; a build's steps may not.")
                % {"line": step.line, "flag": flag},
            )
        elif step.keyword in {"COPY", "ADD"} and "from" in step.flags:
            _check_base(grants, team, substituted(step.flags["from"], values), stages, step)
        if step.keyword == "ADD" and not grants.admin and _fetches(step.arguments):
            raise PolicyRefusal(
                "dockerfile",
                _("Line %(line)d: ADD of a URL fetches it from the engine's network; put the "
                  "file in the build context instead.") % {"line": step.line},
            )  # fmt: skip
    if target and target.lower() not in stages:
        raise PolicyRefusal(
            "target", _("The Dockerfile has no stage named %(target)s.") % {"target": target}
        )


def _check_base(
    grants: Grants, team: Team | None, image: str, stages: list[str], step: Instruction
) -> None:
    """An image a step builds from or copies out of: a stage before it, nothing (scratch), or
    an image the team may use."""
    if (
        image.lower() in stages
        or image == NO_IMAGE
        or (image.isdigit() and int(image) < len(stages))
    ):
        return
    if not image or "$" in image:
        raise PolicyRefusal(
            "dockerfile",
            _("Line %(line)d: %(image)s does not name an image once its build arguments are "
              "set.") % {"line": step.line, "image": image or "FROM"},
        )  # fmt: skip
    try:
        reference = parse_reference(image)
    except InvalidReference as error:
        raise PolicyRefusal(
            "dockerfile", _("Line %(line)d: %(why)s") % {"line": step.line, "why": error.message}
        ) from None
    if team is not None and not grants.admin:
        try:
            check_image(team, reference.familiar)
        except PolicyRefusal as refusal:
            raise PolicyRefusal(
                "dockerfile",
                _("Line %(line)d: %(why)s") % {"line": step.line, "why": refusal.message},
            ) from None


def _fetches(arguments: str) -> bool:
    return any(word.startswith(URL_SCHEMES) for word in arguments.split())
