from django import forms
from django.utils.translation import gettext_lazy as _

from dashboard.models import Team
from dashboard.web.forms import BoundedForm
from labs.template import LabTemplate

MAX_TEMPLATE_BYTES = 256 * 1024
LEARNERS_EXPECTED = _("Learners expected (a session is kept ready for each; 0: none)")


class ImportForm(BoundedForm):
    file = forms.FileField(label=_("Lab file (TOML)"))

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_TEMPLATE_BYTES:
            raise forms.ValidationError(_("A lab file is at most 256 KiB."))
        try:
            return upload.read().decode()
        except UnicodeDecodeError:
            raise forms.ValidationError(_("A lab file is UTF-8 text.")) from None


class ParameterFields:
    """A field for each of the lab's parameters (``param_NAME``), held to its pattern."""

    def add_parameter_fields(self, template: LabTemplate, values: dict[str, str]) -> None:
        for parameter in template.parameters:
            if parameter.is_per_learner:  # each learner's own: not the class's to set
                continue
            self.fields[f"param_{parameter.name}"] = forms.RegexField(
                regex=f"^(?:{parameter.pattern})$",
                label=parameter.name,
                initial=values.get(parameter.name) or parameter.default,
                required=not parameter.default,
                max_length=255,
            )

    def parameters(self) -> dict[str, str]:
        return {
            name.removeprefix("param_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("param_") and value
        }


class OpenClassForm(ParameterFields, BoundedForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Team"))
    minutes = forms.IntegerField(label=_("Time limit (minutes)"), min_value=1, max_value=24 * 60)
    idle_minutes = forms.IntegerField(
        label=_("Idle timeout (minutes, 0: none)"), min_value=0, max_value=24 * 60
    )
    sessions_per_learner = forms.IntegerField(
        label=_("Sessions a learner may have at once"), min_value=1, max_value=5, initial=1
    )
    join_code = forms.BooleanField(label=_("Learners need a join code"), required=False)
    starts_at = forms.DateTimeField(label=_("Opens at (optional)"), required=False)
    ends_at = forms.DateTimeField(label=_("Closes at (optional)"), required=False)
    learners_expected = forms.IntegerField(
        label=LEARNERS_EXPECTED, min_value=0, max_value=500, initial=0, required=False
    )

    def __init__(self, *args: object, teams: object, template: LabTemplate, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.initial.setdefault("minutes", template.minutes)
        self.initial.setdefault("idle_minutes", template.idle_minutes)
        self.add_parameter_fields(template, {})


class ClassParametersForm(ParameterFields, BoundedForm):
    """An open class's parameters, changed: its sessions from then on use them; and the
    learners it expects (its warm pool)."""

    learners_expected = forms.IntegerField(
        label=LEARNERS_EXPECTED, min_value=0, max_value=500, required=False
    )

    def __init__(
        self, *args: object, template: LabTemplate, values: dict[str, str], expected: int, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["learners_expected"].initial = expected
        self.add_parameter_fields(template, values)


class JoinForm(BoundedForm):
    join_code = forms.CharField(label=_("Join code"), max_length=32, required=False)


class AnswerForm(BoundedForm):
    answer = forms.CharField(label=_("Your answer"), max_length=128, required=False)
