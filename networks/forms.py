import ipaddress

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.web.forms import PairsField
from dashboard.web.team_forms import TeamOwnedForm


class NetworkForm(TeamOwnedForm):
    submit_keys = {"csrfmiddlewaretoken", "create"}

    name = forms.CharField(label=gettext_lazy("Name"), max_length=128)
    labels = PairsField(label=gettext_lazy("Labels (--label KEY=VALUE, one a line)"))
    subnet = forms.CharField(
        label=gettext_lazy("Subnet (--subnet, administrators only)"), required=False
    )
    options = PairsField(
        label=gettext_lazy("Driver options (--opt KEY=VALUE, administrators only)")
    )

    def clean_subnet(self) -> str:
        text = self.cleaned_data["subnet"].strip()
        if text:
            try:
                return str(ipaddress.ip_network(text, strict=True))
            except ValueError:
                raise forms.ValidationError(
                    _("Use a network in CIDR form, such as 10.20.0.0/24.")
                ) from None
        return ""
