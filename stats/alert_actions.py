"""Alert rules made, changed and removed, each written to the audit log."""

import secrets

from dashboard.access.roles import User
from dashboard.actions import audit
from stats.alert_forms import AlertRuleForm
from stats.models import AlertRule


def _audit(user: User, action: str, rule: AlertRule) -> None:
    audit.record(
        user, action, target_kind="alert rule", target_id=str(rule.pk), target_name=rule.name,
        team_id=rule.team_id,
    )  # fmt: skip


def save_rule(user: User, form: AlertRuleForm) -> AlertRule:
    """A new rule (with a webhook secret of its own) or a changed one, from a valid form."""
    rule = form.save(commit=False)
    new = rule.pk is None
    if new:
        rule.created_by = user
        rule.webhook_secret = secrets.token_hex(32)
    rule.save()
    _audit(user, "alert-rule-create" if new else "alert-rule-change", rule)
    return rule


def new_secret(user: User, rule: AlertRule) -> None:
    rule.webhook_secret = secrets.token_hex(32)
    rule.save(update_fields=["webhook_secret"])
    _audit(user, "alert-rule-secret", rule)


def remove_rule(user: User, rule: AlertRule) -> None:
    _audit(user, "alert-rule-remove", rule)
    rule.delete()
