"""The forms of team pages: a team's policy, an invitation, a role, and accepting one."""

from decimal import Decimal

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.engine.registry import find
from dashboard.models import Membership, Team
from dashboard.notation.units import format_size, parse_size
from dashboard.policy.image_patterns import pattern_is_valid
from dashboard.web.forms import BoundedForm

SIZE_FIELDS = ("max_memory", "memory_request", "member_memory", "team_memory", "build_size")
MINIMUM_MEMORY = 6 * 1024**2  # the engine refuses less


class SizeField(forms.CharField):
    """A size as `-m` reads it (512m, 2g, 2 GiB), kept in bytes."""

    def __init__(self, *, min_value: object = None, max_value: object = None, **kwargs: object):
        super().__init__(**kwargs)  # a size is given as text; the model's integer bounds stay

    def prepare_value(self, value: object) -> object:
        return format_size(value) if isinstance(value, int) else value

    def to_python(self, value: object) -> int | None:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_size(text)
        except ValueError:
            raise forms.ValidationError(_("Use a size such as 512m or 2g.")) from None


class TeamPolicyForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = [
            "allowed_images",
            "max_memory",
            "max_cpus",
            "memory_request",
            "cpu_request",
            "pids_limit",
            "port_range_start",
            "port_range_end",
            "log_max_size",
            "log_max_files",
            "member_containers",
            "member_memory",
            "member_cpus",
            "member_volumes",
            "team_containers",
            "team_memory",
            "team_cpus",
            "team_volumes",
            "build_minutes",
            "build_size",
            "engines",
            "recording",
            "record_input",
        ]
        field_classes = dict.fromkeys(SIZE_FIELDS, SizeField)
        widgets = {
            "allowed_images": forms.Textarea(attrs={"rows": 4, "cols": 50}),
            "engines": forms.Textarea(attrs={"rows": 2, "cols": 50}),
        }

    def clean_allowed_images(self) -> str:
        patterns = [p.strip() for p in self.cleaned_data["allowed_images"].splitlines()]
        bad = [p for p in patterns if p and not pattern_is_valid(p)]
        if bad:
            raise forms.ValidationError(
                _("Not an image pattern: %(patterns)s.") % {"patterns": ", ".join(bad)}
            )
        return "\n".join(p for p in patterns if p)

    def clean_engines(self) -> str:
        names = self.cleaned_data["engines"].split()
        unknown = [name for name in names if find(name) is None]
        if unknown:
            raise forms.ValidationError(
                _("No such engine: %(name)s") % {"name": ", ".join(unknown)}
            )
        return "\n".join(dict.fromkeys(names))

    def clean_log_max_size(self) -> str:
        text = self.cleaned_data["log_max_size"].strip().lower()
        try:
            parse_size(text)
        except ValueError:
            raise forms.ValidationError(_("Use a size such as 10m.")) from None
        return text

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("port_range_start"), data.get("port_range_end")
        if (first is None) != (last is None) or (first and last and not 0 < first <= last < 65536):
            raise forms.ValidationError(
                _("Give both host ports (first ≤ last, below 65536), or neither to publish none.")
            )
        for name in ("max_cpus", "member_cpus", "team_cpus"):
            if data.get(name) is not None and data[name] <= Decimal(0):
                self.add_error(name, _("Use a number of CPUs above 0."))
        # A limit of 0 is "no limit" to the engine: never let it through as a team's maximum.
        if data.get("max_memory") is not None and data["max_memory"] < MINIMUM_MEMORY:
            self.add_error("max_memory", _("The memory limit must be at least 6m."))
        if data.get("pids_limit") is not None and data["pids_limit"] < 1:
            self.add_error("pids_limit", _("Use a number of processes above 0."))
        for request, ceiling in (("memory_request", "max_memory"), ("cpu_request", "max_cpus")):
            asked, most = data.get(request), data.get(ceiling)
            if asked is not None and (asked <= 0 or (most is not None and asked > most)):
                self.add_error(request, _("A request is above 0 and at most the limit."))
        return data


class TeamCreateForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name"]


MOST_INVITATIONS = 200  # links one form makes: a large class, with room


class InviteForm(BoundedForm):
    """One link, a link for each name (or e-mail) listed, or a number of unnamed links."""

    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=Membership.Role.choices, initial="member"
    )
    names = forms.CharField(
        label=gettext_lazy("Who they are for (one name or e-mail a line)"),
        required=False,
        max_length=MOST_INVITATIONS * 201,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 40}),
    )
    count = forms.IntegerField(
        label=gettext_lazy("Or a number of links"),
        required=False,
        min_value=1,
        max_value=MOST_INVITATIONS,
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        lines = [line.strip() for line in (cleaned.get("names") or "").splitlines()]
        names = list(dict.fromkeys(line for line in lines if line))
        if names and cleaned.get("count"):
            raise forms.ValidationError(_("List names, or give a number of links, not both."))
        if len(names) > MOST_INVITATIONS:
            raise forms.ValidationError(
                _("At most %(most)d invitations at once; you listed %(count)d.")
                % {"most": MOST_INVITATIONS, "count": len(names)}
            )
        if too_long := next((name for name in names if len(name) > 200), None):
            raise forms.ValidationError(
                _("A name is at most 200 characters: %(name)s…") % {"name": too_long[:40]}
            )
        cleaned["notes"] = names or [""] * (cleaned.get("count") or 1)
        return cleaned


class RoleForm(BoundedForm):
    role = forms.ChoiceField(
        choices=[*Membership.Role.choices, ("", gettext_lazy("remove"))], required=False
    )


class AcceptInvitationForm(BaseUserCreationForm):
    """The invitee's username and password (twice, validated)."""
