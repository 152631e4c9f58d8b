"""The alert rule form: what to watch, where, and whom to tell."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from dashboard.access.roles import User, grants_for
from dashboard.models import Membership, Team
from stats.alert_delivery import DeliveryFailed, check_public
from stats.models import AlertRule

MOST_ADDRESSES = 20


class AlertRuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = ["name", "kind", "team", "threshold", "minutes", "emails", "webhook_url",
                  "enabled"]  # fmt: skip
        widgets = {"emails": forms.Textarea(attrs={"rows": 3, "cols": 40})}

    def __init__(self, user: User, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        grants = grants_for(user)
        self.admin = grants.admin
        field = self.fields["team"]
        if grants.admin:
            field.queryset = Team.objects.order_by("name")
            field.empty_label = _("Every team and engine (administrators)")
        else:
            field.queryset = Team.objects.filter(
                pk__in=grants.teams_with(Membership.Role.INSTRUCTOR)
            ).order_by("name")
            field.required = True
        self.fields["threshold"].validators.append(_at_most(1000))
        self.fields["minutes"].validators.append(_at_most(24 * 60))

    def clean_emails(self) -> str:
        addresses = self.cleaned_data["emails"].split()
        if len(addresses) > MOST_ADDRESSES:
            raise ValidationError(_("At most %(n)d addresses.") % {"n": MOST_ADDRESSES})
        for address in addresses:
            validate_email(address)
        return "\n".join(addresses)

    def clean(self) -> dict:
        data = super().clean()
        team, kind, url = data.get("team"), data.get("kind"), data.get("webhook_url")
        if kind in (AlertRule.Kind.ENGINE_DOWN, AlertRule.Kind.DISK) and team is not None:
            self.add_error("team", _("Engines are watched by rules of no team."))
        if url:
            if not url.startswith(("https://", "http://")):
                self.add_error("webhook_url", _("Use an http or https URL."))
            elif team is not None:
                try:
                    check_public(url)
                except DeliveryFailed as failure:
                    self.add_error(
                        "webhook_url",
                        _("A team's webhook must reach a public address: %(why)s")
                        % {"why": failure},
                    )
        if not data.get("emails") and not url:
            self.add_error("emails", _("Give an e-mail address or a webhook URL to tell."))
        return data


def _at_most(most: int):
    def check(value: int) -> None:
        if value > most:
            raise ValidationError(_("At most %(most)d.") % {"most": most})

    return check
