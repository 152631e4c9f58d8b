from django import forms
from django.utils.translation import gettext_lazy

from dashboard.web.forms import PairsField
from dashboard.web.team_forms import TeamOwnedForm


class VolumeForm(TeamOwnedForm):
    submit_keys = {"csrfmiddlewaretoken", "create"}

    name = forms.CharField(label=gettext_lazy("Name"), max_length=128)
    labels = PairsField(label=gettext_lazy("Labels (--label KEY=VALUE, one a line)"))
    driver_options = PairsField(
        label=gettext_lazy("Driver options (--opt KEY=VALUE, administrators only)")
    )
