"""Who sees which alert rules and alerts: administrators, all; a team's instructors, the team's
rules and their alerts; a member, the alerts about their own containers. A rule they may not
manage answers "not found", as one that does not exist."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from dashboard.access.roles import User, grants_for
from dashboard.models import Membership
from stats.models import Alert, AlertRule


def managed_rules(user: User) -> QuerySet[AlertRule]:
    grants = grants_for(user)
    if grants.admin:
        return AlertRule.objects.all()
    return AlertRule.objects.filter(team__in=grants.teams_with(Membership.Role.INSTRUCTOR))


def may_manage_rules(user: User) -> bool:
    grants = grants_for(user)
    return grants.admin or bool(grants.teams_with(Membership.Role.INSTRUCTOR))


def access_rule(user: User, rule_id: int) -> AlertRule:
    rule = managed_rules(user).filter(pk=rule_id).first()
    if rule is None:
        raise Http404(_("No such alert rule."))
    return rule


def visible_alerts(user: User) -> QuerySet[Alert]:
    grants = grants_for(user)
    alerts = Alert.objects.select_related("rule", "rule__team")
    if grants.admin:
        return alerts
    instructed = grants.teams_with(Membership.Role.INSTRUCTOR)
    return alerts.filter(
        Q(rule__team__in=instructed) | Q(owner_id=user.pk, rule__team__in=list(grants.roles))
    )
