from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.models import Membership, Team
from signon.directory import local_passwords_for
from signon.groups import ADMINISTRATOR
from signon.models import GroupMapping
from signon.refusals import REFUSAL_ATTRIBUTE


class LocalLoginForm(AuthenticationForm):
    """The password form: the directory's people (LDAP), and Dockboard's own passwords unless
    they are turned off (the break-glass administrator's stays). A refusal with a reason of its
    own (no group gives a place) says it."""

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        if not settings.DOCKBOARD_LDAP_URI and not local_passwords_for(username):
            raise forms.ValidationError(
                _("Passwords are turned off here: sign in with %(provider)s.")
                % {"provider": settings.DOCKBOARD_OIDC_NAME},
                code="local_login_off",
            )
        try:
            return super().clean()
        except forms.ValidationError:
            if reason := getattr(self.request, REFUSAL_ATTRIBUTE, ""):
                raise forms.ValidationError(reason, code="refused") from None
            raise


class GroupMappingForm(forms.Form):
    group = forms.CharField(label=gettext_lazy("Group"), max_length=255)
    grant = forms.ChoiceField(label=gettext_lazy("Gives"))
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"), queryset=Team.objects.order_by("name"), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grant"].choices = [
            *Membership.Role.choices,
            (ADMINISTRATOR, gettext_lazy("administrator")),
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        grant, team = cleaned.get("grant"), cleaned.get("team")
        if grant and grant != ADMINISTRATOR and team is None:
            raise forms.ValidationError(_("A role is in a team: choose the team."))
        if grant == ADMINISTRATOR:
            cleaned["team"] = None
        rules = GroupMapping.objects.filter(group=cleaned.get("group"))
        if grant == ADMINISTRATOR and rules.filter(administrator=True).exists():
            raise forms.ValidationError(_("This group already makes its people administrators."))
        if team is not None and rules.filter(team=team).exists():
            raise forms.ValidationError(
                _("This group already gives a role in %(team)s: remove that rule first.")
                % {"team": team.name}
            )
        return cleaned

    def save(self) -> GroupMapping:
        data = self.cleaned_data
        administrator = data["grant"] == ADMINISTRATOR
        return GroupMapping.objects.create(
            group=data["group"], team=data["team"], administrator=administrator,
            role="" if administrator else data["grant"],
        )  # fmt: skip
