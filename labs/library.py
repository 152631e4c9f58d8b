"""The lab library: templates imported (each import a new version), and the bundled labs."""

from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from dashboard.access.roles import User
from dashboard.models import Team
from dashboard.notation.units import format_cpus, format_size
from dashboard.policy.images import check_image
from dashboard.policy.refusals import PolicyRefusal
from labs.access import instructed_team_ids
from labs.models import Lab, LabVersion
from labs.template import LabTemplate, TemplateError, parse

BUNDLED = Path(__file__).resolve().parent / "bundled"


def team_refusal(template: LabTemplate, team: Team, values: dict[str, str]) -> str | None:
    """Why ``team``'s policy refuses what the template asks with these values, if it does."""
    for image in sorted(template.all_images({**values, "learner": "learner"})):
        try:
            check_image(team, image)
        except PolicyRefusal as refusal:
            return refusal.message
    for service in template.services:
        if service.memory > team.max_memory or service.cpus > team.max_cpus:
            return _(
                "Service %(service)s asks for %(memory)s and %(cpus)s CPUs; team %(team)s "
                "allows %(most_memory)s and %(most_cpus)s CPUs a container."
            ) % {
                "service": service.name,
                "memory": format_size(service.memory),
                "cpus": format_cpus(int(service.cpus * 10**9)),
                "team": team.name,
                "most_memory": format_size(team.max_memory),
                "most_cpus": format_cpus(int(team.max_cpus * 10**9)),
            }
    return None


def import_template(source: str, user: User | None) -> LabVersion:
    """Add the text as the next version of its lab. ``TemplateError`` when it is not a valid
    lab, or when no team the importer instructs could run it with its defaults."""
    template = parse(source)
    team_ids = instructed_team_ids(user) if user is not None else None
    if team_ids is not None:
        defaults = {p.name: p.default for p in template.parameters}
        reasons = [
            team_refusal(template, t, defaults) for t in Team.objects.filter(pk__in=team_ids)
        ]
        if not reasons or all(reasons):
            raise TemplateError(
                reasons[0] if reasons else _("Only instructors and administrators import labs.")
            )
    with transaction.atomic():
        lab, _created = Lab.objects.select_for_update().get_or_create(slug=template.slug)
        number = (lab.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        return LabVersion.objects.create(lab=lab, number=number, source=source, imported_by=user)


def install_bundled(**_: object) -> None:
    """Receiver of ``post_migrate``: each bundled lab, as a new version when its text changed."""
    for path in sorted(BUNDLED.glob("*.toml")):
        source = path.read_text()
        slug = parse(source).slug
        if not LabVersion.objects.filter(lab__slug=slug, source=source).exists():
            import_template(source, None)
