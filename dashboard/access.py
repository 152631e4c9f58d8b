"""The gatekeeper: every view and consumer reaches engine objects through these functions.

"Not found" and "not allowed to see" raise the same ``NotFound``, so a user cannot probe for
objects they may not see. An object they may see but not change answers ``Denied`` (403) to a
change. The rules are in ``dashboard.grants``.
"""

import contextlib
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from dashboard import engine, engine_images, engine_networks, engine_swarm, engine_volumes
from dashboard.engine import Denied, NotFound
from dashboard.grants import Rights, User, grants_for
from dashboard.image_patterns import matches
from dashboard.models import AuditEvent, Membership, Team, TerminalRecording
from dashboard.ownership import Kind, Owner, object_id, owner_of, owners
from dashboard.reference import InvalidReference, parse_reference


def visible_containers(user: User) -> list[dict[str, Any]]:
    """The containers the user may see: one engine list call narrowed by label, then one query
    of their ownership records."""
    return visible_containers_with_rights(user)[0]


def visible_containers_with_rights(user: User) -> tuple[list[dict], dict[str, Rights]]:
    """The containers the user may see, and the user's rights on each, by id: the same one
    engine call and one query."""
    return _visible_with_rights(user, Kind.CONTAINER, engine.list_containers)


def _visible_with_rights(
    user: User, kind: str, lister: Callable[[list[str]], list[dict]]
) -> tuple[list[dict], dict[str, Rights]]:
    """Containers, volumes and networks belong to people alike: one engine list call narrowed
    by label, then one query of their records for the rights."""
    filters = grants_for(user).list_filters()
    if filters is None:
        return [], {}
    found = lister(filters)
    rights = rights_on(user, kind, found)
    return [item for item in found if rights[object_id(kind, item)] is not Rights.NONE], rights


def _seen_by(user: User, kind: str, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The objects of ``found`` the user may see, by their ownership records (one query)."""
    rights = rights_on(user, kind, found)
    return [item for item in found if rights[object_id(kind, item)] is not Rights.NONE]


def rights_on(user: User, kind: str, found: list[dict[str, Any]]) -> dict[str, Rights]:
    """The user's rights on each object of ``found``, by id: one query of their ownership
    records (none for administrators, who may do anything)."""
    grants = grants_for(user)
    ids = [object_id(kind, item) for item in found]
    if grants.admin:
        return dict.fromkeys(ids, Rights.WRITE)
    known = owners(kind, ids)
    return {found_id: grants.rights(known.get(found_id)) for found_id in ids}


def visible_images(user: User) -> list[dict[str, Any]]:
    """Images are engine-wide: everyone on a team sees them all."""
    if not grants_for(user).has_team:
        return []
    return engine_images.list_images()


def containers_using_image(user: User, image_id: str) -> list[dict[str, Any]]:
    """The containers made from the image that the user may see."""
    return _seen_by(user, Kind.CONTAINER, engine_images.containers_using_image(image_id))


def local_image_tags(user: User) -> list[str]:
    """The tags of the local images, to pick from when creating a container."""
    return sorted(tag for image in visible_images(user) for tag in image.get("RepoTags") or [])


def _inspect(lookup: Callable[[str], dict[str, Any]], ref: str, missing: str) -> dict[str, Any]:
    try:
        return lookup(ref)
    except NotFound:
        raise NotFound(missing % {"ref": ref}) from None


def access_container(user: User, ref: str, *, change: bool = False) -> dict[str, Any]:
    """The container's inspect data; ``NotFound`` alike for a missing or hidden one, and
    ``Denied`` when ``change`` is asked of a user who may only look."""
    return access_owned_container(user, ref, change=change)[0]


def access_owned_container(
    user: User, ref: str, *, change: bool = False
) -> tuple[dict[str, Any], Owner | None, Rights]:
    """``access_container``, with the container's ownership record and the user's rights."""
    missing = _("No such container: %(ref)s")
    grants = grants_for(user)
    if not grants.has_team:
        raise NotFound(missing % {"ref": ref})
    container = _inspect(engine.inspect_container, ref, missing)
    owner = owner_of(Kind.CONTAINER, container["Id"])
    rights = grants.rights(owner)
    if rights is Rights.NONE:
        raise NotFound(missing % {"ref": ref})
    if change and rights is not Rights.WRITE:
        raise Denied(_("You may only look at this container."))
    return container, owner, rights


def access_image(user: User, ref: str, *, change: bool = False) -> dict[str, Any]:
    """The image's inspect data; ``NotFound`` alike for a missing one and a user with no team;
    with ``change`` (tag, remove), ``Denied`` unless they may manage every name ``ref`` stands
    for: the tag it names, or every tag of the image when it names an id or a digest."""
    missing = _("No such image: %(ref)s")
    if not grants_for(user).has_team:
        raise NotFound(missing % {"ref": ref})
    image = _inspect(engine_images.inspect_image, ref, missing)
    if change and not may_manage_image(user, names_of(image, ref)):
        raise image_denied()
    return image


def image_denied() -> Denied:
    return Denied(
        _("Only administrators and the instructors whose team allows it manage this image.")
    )


def names_of(image: dict[str, Any], ref: str) -> list[str]:
    """The names a change through ``ref`` touches: the tag it names, or all the image's tags
    (an id or a digest stands for the whole image)."""
    tag = _named_tag(image, ref)
    return [tag] if tag else list(image.get("RepoTags") or [])


def _named_tag(image: dict[str, Any], ref: str) -> str | None:
    """The image's tag that ``ref`` names (``busybox`` names ``busybox:latest``), or None."""
    try:
        wanted = parse_reference(ref)
    except InvalidReference:
        return None
    for tag in image.get("RepoTags") or []:
        with contextlib.suppress(InvalidReference):
            if not wanted.digest and parse_reference(tag) == wanted:
                return tag
    return None


def may_manage_image(user: User, references: list[str]) -> bool:
    """Whether the user manages every one of these names (an image known by no name is the
    administrators' alone)."""
    if grants_for(user).admin:
        return True
    return bool(references) and manageable_names(user, references) == references


def manageable_names(user: User, references: list[str]) -> list[str]:
    """The names the user may tag and untag: all (administrators), those their teams' allow-lists
    hold (instructors), none (everyone else)."""
    grants = grants_for(user)
    if grants.admin:
        return list(references)
    teams = Team.objects.filter(pk__in=grants.teams_with(Membership.Role.INSTRUCTOR))
    patterns = [team.image_patterns for team in teams]
    return [ref for ref in references if any(matches(allowed, ref) for allowed in patterns)]


def _access_labelled(
    user: User, kind: str, found: dict[str, Any], change: bool, missing: str, read_only: str
) -> dict[str, Any]:
    rights = grants_for(user).rights(owner_of(kind, object_id(kind, found)))
    if rights is Rights.NONE:
        raise NotFound(missing)
    if change and rights is not Rights.WRITE:
        raise Denied(read_only)
    return found


def visible_volumes(user: User) -> list[dict[str, Any]]:
    return visible_volumes_with_rights(user)[0]


def visible_volumes_with_rights(user: User) -> tuple[list[dict], dict[str, Rights]]:
    """The volumes the user may see, and the user's rights on each, by name."""
    return _visible_with_rights(user, Kind.VOLUME, engine_volumes.list_volumes)


def access_volume(user: User, name: str, *, change: bool = False) -> dict[str, Any]:
    """The volume's inspect data; ``NotFound`` alike for a missing or hidden one."""
    missing = _("No such volume: %(ref)s")
    if not grants_for(user).has_team:
        raise NotFound(missing % {"ref": name})
    volume = _inspect(engine_volumes.inspect_volume, name, missing)
    return _access_labelled(
        user,
        Kind.VOLUME,
        volume,
        change,
        missing % {"ref": name},
        _("You may only look at this volume."),
    )


def visible_networks(user: User) -> list[dict[str, Any]]:
    """The user's networks, and the engine's own (bridge, host, none) for everyone on a team."""
    if not grants_for(user).has_team:
        return []
    mine = own_networks_with_rights(user)[0]
    if grants_for(user).admin:
        return mine
    known = {network["Id"] for network in mine}
    builtin = engine_networks.list_networks([], builtin=True)
    return mine + [network for network in builtin if network["Id"] not in known]


def own_networks_with_rights(user: User) -> tuple[list[dict], dict[str, Rights]]:
    """The networks the user may see but the engine's own (every network, for administrators),
    and the user's rights on each, by id."""
    return _visible_with_rights(user, Kind.NETWORK, engine_networks.list_networks)


def access_network(user: User, ref: str, *, change: bool = False) -> dict[str, Any]:
    """The network's inspect data; the engine's own networks are read-only for all but
    administrators; ``NotFound`` alike for a missing or hidden one."""
    missing = _("No such network: %(ref)s")
    grants = grants_for(user)
    if not grants.has_team:
        raise NotFound(missing % {"ref": ref})
    network = _inspect(engine_networks.inspect_network, ref, missing)
    read_only = _("You may only look at this network.")
    if network.get("Name") in engine_networks.BUILTIN and not grants.admin:
        if change:
            raise Denied(read_only)
        return network
    return _access_labelled(user, Kind.NETWORK, network, change, missing % {"ref": ref}, read_only)


def usable_volume_names(user: User) -> list[str]:
    """The volumes the user's containers may mount: their own (an instructor's: the team's)."""
    volumes, rights = visible_volumes_with_rights(user)
    return sorted(volume["Name"] for volume in volumes if rights[volume["Name"]] is Rights.WRITE)


def usable_network_names(user: User) -> list[str]:
    """The networks the user's containers may join: bridge, none, and their own bridges."""
    networks, rights = own_networks_with_rights(user)
    own = [
        network["Name"]
        for network in networks
        if network.get("Driver") == "bridge"
        and network["Name"] not in engine_networks.BUILTIN
        and rights[network["Id"]] is Rights.WRITE
    ]
    return ["bridge", "none", *sorted(own)]


def visible_teams(user: User) -> Any:
    """Administrators see every team; everyone else the teams they are on."""
    grants = grants_for(user)
    return Team.objects.all() if grants.admin else Team.objects.filter(pk__in=list(grants.roles))


def access_team(user: User, team_id: object, *, manage: bool = False) -> Team:
    """A team the user is on (``NotFound`` alike for others); with ``manage`` (members and
    invitations), ``Denied`` unless they are its instructor or an administrator."""
    team = visible_teams(user).filter(pk=team_id).first() if str(team_id).isdecimal() else None
    if team is None:
        raise NotFound(_("No such team: %(ref)s") % {"ref": team_id})
    if manage and not may_manage_team(user, team):
        raise Denied(_("Only the team's instructors and administrators manage its members."))
    return team


def may_manage_team(user: User, team: Team) -> bool:
    grants = grants_for(user)
    return grants.admin or grants.roles.get(team.pk) == Membership.Role.INSTRUCTOR


def managed_users(user: User) -> Any:
    """The accounts a user manages: all (administrators), their teams' people (instructors)."""
    grants = grants_for(user)
    accounts = get_user_model().objects.order_by("username")
    if grants.admin:
        return accounts
    teams = grants.teams_with(Membership.Role.INSTRUCTOR)
    return accounts.filter(memberships__team__in=teams, is_superuser=False).distinct()


def access_account(user: User, account_id: object) -> Any:
    """An account the user manages, or ``NotFound`` alike for any other."""
    found = (
        managed_users(user).filter(pk=account_id).first() if str(account_id).isdecimal() else None
    )
    if found is None:
        raise NotFound(_("No such user: %(ref)s") % {"ref": account_id})
    return found


def visible_audit_events(user: User) -> Any:
    """Administrators read every row; instructors their teams' rows; nobody else any."""
    grants = grants_for(user)
    if grants.admin:
        return AuditEvent.objects.all()
    instructed = grants.teams_with(Membership.Role.INSTRUCTOR)
    if not instructed:
        raise Denied(_("Only administrators and instructors read the audit log."))
    return AuditEvent.objects.filter(team_id__in=instructed)


def visible_services(user: User) -> list[dict[str, Any]]:
    """The Swarm services the user may see: by their ownership records, as containers."""
    grants = grants_for(user)
    filters = grants.list_filters()
    if filters is None:
        return []
    return _seen_by(user, Kind.SERVICE, engine_swarm.list_services(filters))


def access_service(user: User, ref: str) -> dict[str, Any]:
    """A service the user may see, or ``NotFound`` alike for a missing or hidden one."""
    missing = _("No such service: %(ref)s")
    if not grants_for(user).has_team:
        raise NotFound(missing % {"ref": ref})
    service = _inspect(engine_swarm.inspect_service, ref, missing)
    if grants_for(user).rights(owner_of(Kind.SERVICE, service["ID"])) is Rights.NONE:
        raise NotFound(missing % {"ref": ref})
    return service


def visible_recordings(user: User) -> Any:
    """Administrators see every recording; others their own terminals' and their containers',
    and instructors their teams'."""
    if not user.is_authenticated:
        return TerminalRecording.objects.none()
    if user.is_superuser:
        return TerminalRecording.objects.all()
    instructed = Membership.objects.filter(user=user, role=Membership.Role.INSTRUCTOR)
    return TerminalRecording.objects.filter(
        Q(user=user)
        | Q(owner_id=user.pk)
        | Q(team_id__in=instructed.values_list("team_id", flat=True))
    )


def access_recording(user: User, recording_id: object) -> TerminalRecording:
    recording = (
        visible_recordings(user).filter(pk=recording_id).first()
        if str(recording_id).isdecimal()
        else None
    )
    if recording is None:
        raise NotFound(_("No such recording: %(ref)s") % {"ref": recording_id})
    return recording
