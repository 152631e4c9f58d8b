"""Team quotas: containers, memory and CPUs per member and per team, counted from the engine's
labels (which cannot change once a container exists), in one engine call."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from dashboard import engine, labels
from dashboard.models import Team
from dashboard.units import format_cpus, format_size, nano_cpus


@dataclass
class Usage:
    containers: int = 0
    memory: int = 0
    nano_cpus: int = 0

    def add(self, container_labels: dict[str, str]) -> None:
        self.containers += 1
        self.memory += _number(container_labels.get(labels.MEMORY))
        self.nano_cpus += _number(container_labels.get(labels.NANO_CPUS))


def _number(text: str | None) -> int:
    return int(text) if text and text.isdecimal() else 0


def usage(team: Team, owner_id: int | None = None) -> tuple[Usage, Usage]:
    """What the team's containers hold, and what the owner's among them hold."""
    team_usage, owner_usage = Usage(), Usage()
    for summary in engine.list_containers([f"{labels.TEAM}={team.pk}"]):
        container_labels = summary.get("Labels") or {}
        team_usage.add(container_labels)
        if container_labels.get(labels.OWNER) == str(owner_id):
            owner_usage.add(container_labels)
    return team_usage, owner_usage


def limits(team: Team) -> tuple[Usage, Usage]:
    """The team's limits and each member's, in the same units as ``usage``."""
    return (
        Usage(team.team_containers, team.team_memory, nano_cpus(team.team_cpus)),
        Usage(team.member_containers, team.member_memory, nano_cpus(team.member_cpus)),
    )


def refusal(team: Team, owner_id: int, new_labels: dict[str, Any]) -> str | None:
    """Why one more container with these labels would break a quota, with the numbers; or None."""
    asked = Usage()
    asked.add(new_labels)
    team_usage, owner_usage = usage(team, owner_id)
    team_limits, member_limits = limits(team)
    checks = [
        (_("Team %(team)s") % {"team": team.name}, team_usage, team_limits),
        (_("Your quota in team %(team)s") % {"team": team.name}, owner_usage, member_limits),
    ]
    for whose, used, most in checks:
        if used.containers + 1 > most.containers:
            message = _("%(whose)s: %(used)s of %(most)s containers are in use.")
            shown = (str(used.containers), str(most.containers), "")
        elif used.memory + asked.memory > most.memory:
            message = _(
                "%(whose)s: %(used)s of %(most)s memory in use; this container asks %(asked)s."
            )
            shown = tuple(format_size(n) for n in (used.memory, most.memory, asked.memory))
        elif used.nano_cpus + asked.nano_cpus > most.nano_cpus:
            message = _(
                "%(whose)s: %(used)s of %(most)s CPUs in use; this container asks %(asked)s."
            )
            shown = tuple(format_cpus(n) for n in (used.nano_cpus, most.nano_cpus, asked.nano_cpus))
        else:
            continue
        return message % dict(zip(("used", "most", "asked"), shown, strict=True), whose=whose)
    return None
