"""Team quotas: containers, memory, CPUs and volumes per member and per team.

A create is checked against the ledger (the containers' ``OwnershipRecord``s), which the gate
writes as it admits containers: a database count, no engine call. Only when the ledger says no
is it first reconciled with the engine, so removals made behind Dockboard's back never cost
anyone a container; a container the gate did not admit (the CLI's, another installation's, one
whose image carries labels) never counts. The team page counts the same records.
"""

import contextlib
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.engine import containers as engine_containers
from dashboard.engine import current as engine
from dashboard.engine import volumes as engine_volumes
from dashboard.engine.errors import EngineError
from dashboard.models import OwnershipRecord, Team
from dashboard.notation.units import format_cpus, format_size, nano_cpus
from dashboard.ops.housekeeping import housekeeping
from dashboard.policy import labels


@dataclass
class Usage:
    containers: int = 0
    memory: int = 0
    nano_cpus: int = 0
    volumes: int = 0  # named volumes the gate made (a learner's workspace among them)

    def add(self, container_labels: dict[str, str]) -> None:
        self.containers += 1
        self.memory += _number(container_labels.get(labels.MEMORY))
        self.nano_cpus += _number(container_labels.get(labels.NANO_CPUS))


def _number(text: str | None) -> int:
    return int(text) if text and text.isdecimal() else 0


def usage(team: Team, owner_id: int | None = None) -> tuple[Usage, Usage]:
    """What the team's containers hold, and what the owner's among them hold, as the quotas
    count them: their records (those the current engine no longer has dropped first)."""
    reconcile(team)
    return _ledger_usage(team, owner_id)


def limits(team: Team) -> tuple[Usage, Usage]:
    """The team's limits and each member's, in the same units as ``usage``."""
    return (
        Usage(team.team_containers, team.team_memory, nano_cpus(team.team_cpus), team.team_volumes),
        Usage(
            team.member_containers,
            team.member_memory,
            nano_cpus(team.member_cpus),
            team.member_volumes,
        ),
    )


def locked_team(team_id: int) -> Team | None:
    """The team, its row locked for the transaction (on SQLite the IMMEDIATE transaction
    already holds the database's write lock). Plain SQL: see ``_ledger_usage``."""
    table = connection.ops.quote_name(Team._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    found = list(Team.objects.raw(f"SELECT * FROM {table} WHERE id = %s{lock}", [team_id]))  # noqa: S608
    return found[0] if found else None


def _ledger_usage(team: Team, owner_id: int | None) -> tuple[Usage, Usage]:
    """The team's and the owner's use, from one grouped query of the ledger (plain SQL: it runs
    inside every create's lock, where the ORM's own cost would be most of the gate's)."""
    table = connection.ops.quote_name(OwnershipRecord._meta.db_table)
    team_usage, owner_usage = Usage(), Usage()
    container, volume = OwnershipRecord.Kind.CONTAINER, OwnershipRecord.Kind.VOLUME
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT owner_id, kind, COUNT(*), SUM(memory), SUM(nano_cpus) FROM {table} "  # noqa: S608
            "WHERE team_id = %s AND kind IN (%s, %s) GROUP BY owner_id, kind",
            [team.pk, container, volume],
        )
        for owner, kind, count, memory, nano in cursor.fetchall():
            for usage_of in (team_usage, owner_usage) if owner == owner_id else (team_usage,):
                if kind == volume:
                    usage_of.volumes += count
                    continue
                usage_of.containers += count
                usage_of.memory += memory or 0
                usage_of.nano_cpus += nano or 0
    return team_usage, owner_usage


def admitted(
    container_id: str, team: Team | None, owner_id: int | None, new_labels: dict[str, str]
) -> None:
    """Record a new container: its owner, team, lab session and limits (plain SQL, for the
    reason given above)."""
    table = connection.ops.quote_name(OwnershipRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (engine, kind, object_id, team_id, owner_id, lab_session, "  # noqa: S608
            "memory, nano_cpus, mark, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', %s)",
            [
                engine.current_name(),
                OwnershipRecord.Kind.CONTAINER,
                container_id,
                team and team.pk,
                owner_id,
                new_labels.get(labels.LAB_SESSION, ""),
                _number(new_labels.get(labels.MEMORY)),
                _number(new_labels.get(labels.NANO_CPUS)),
                timezone.now(),
            ],
        )


def reconcile(team: Team) -> None:
    """Drop the team's records on the current engine of containers and volumes it no longer
    holds: two calls. Nothing is added from labels: only the gate admits."""
    selector = [f"{labels.TEAM}={team.pk}"]
    present = {
        OwnershipRecord.Kind.CONTAINER: [
            s["Id"] for s in engine_containers.list_containers(selector)
        ],
        OwnershipRecord.Kind.VOLUME: [v["Name"] for v in engine_volumes.list_volumes(selector)],
    }
    for kind, held in present.items():
        OwnershipRecord.objects.filter(team=team, engine=engine.current_name(), kind=kind).exclude(
            object_id__in=held
        ).delete()


@receiver(housekeeping)
def reconcile_every_team(sender: object, **kwargs: object) -> None:
    kinds = (OwnershipRecord.Kind.CONTAINER, OwnershipRecord.Kind.VOLUME)
    entries = (
        OwnershipRecord.objects.filter(kind__in=kinds, team__isnull=False)
        .values_list("team", "engine")
        .distinct()
        .order_by()
    )
    for team_id, engine_name in entries:
        with engine.on(engine_name), contextlib.suppress(EngineError):  # down: the next hour
            reconcile(Team.objects.get(pk=team_id))


def refusal(
    team: Team, owner_id: int | None, new_labels: dict[str, Any], new_volumes: int = 0
) -> str | None:
    """Why one more container with these labels (and the volumes made for it) would break a
    quota, with the numbers; or None. Called with the team locked."""
    asked = Usage(volumes=new_volumes)
    asked.add(new_labels)
    return refusal_of(team, owner_id, asked)


def refusal_of(
    team: Team, owner_id: int | None, asked: Usage, *, member_only: bool = False
) -> str | None:
    """``refusal`` of ``asked`` (containers the team holds already, ``member_only``, when they
    are handed to a member)."""
    reason = _refusal(team, owner_id, asked, member_only)
    if reason is not None:  # the ledger may count containers gone since: ask the engine
        reconcile(team)
        reason = _refusal(team, owner_id, asked, member_only)
    return reason


def _refusal(team: Team, owner_id: int | None, asked: Usage, member_only: bool) -> str | None:
    team_usage, owner_usage = _ledger_usage(team, owner_id)
    team_limits, member_limits = limits(team)
    checks = (
        [] if member_only else [(_("Team %(team)s") % {"team": team.name}, team_usage, team_limits)]
    )
    if owner_id is not None:  # none: made for the team (a warm pool), no member's quota yet
        whose = _("Your quota in team %(team)s") % {"team": team.name}
        checks.append((whose, owner_usage, member_limits))
    for whose, used, most in checks:
        if asked.volumes and used.volumes + asked.volumes > most.volumes:
            message = _("%(whose)s: %(used)s of %(most)s volumes are in use.")
            shown = (str(used.volumes), str(most.volumes), "")
        elif asked.containers and used.containers + asked.containers > most.containers:
            message = _("%(whose)s: %(used)s of %(most)s containers are in use.")
            shown = (str(used.containers), str(most.containers), "")
        elif asked.memory and used.memory + asked.memory > most.memory:
            message = _(
                "%(whose)s: %(used)s of %(most)s memory requested; this container requests "
                "%(asked)s."
            )
            shown = tuple(format_size(n) for n in (used.memory, most.memory, asked.memory))
        elif asked.nano_cpus and used.nano_cpus + asked.nano_cpus > most.nano_cpus:
            message = _(
                "%(whose)s: %(used)s of %(most)s CPUs requested; this container requests %(asked)s."
            )
            shown = tuple(format_cpus(n) for n in (used.nano_cpus, most.nano_cpus, asked.nano_cpus))
        else:
            continue
        return message % dict(zip(("used", "most", "asked"), shown, strict=True), whose=whose)
    return None
