"""The base of forms that make something a team owns (a container, a service): the team to
choose (a user with one team need not), and no field the form does not know."""

from typing import Self

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.access.roles import User, creatable_teams, grants_for
from dashboard.web.forms import BoundedForm

NO_TEAM = ""


class TeamOwnedForm(BoundedForm):
    submit_keys = {"csrfmiddlewaretoken"}
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)

    def __init__(self, data: object = None, *, user: User, **kwargs: object) -> None:
        super().__init__(data, **kwargs)
        choices = [(str(team.pk), team.name) for team in creatable_teams(user)]
        if grants_for(user).admin:
            choices.insert(0, (NO_TEAM, _("No team (administrators only)")))
        self.fields["team"].choices = choices
        if len(choices) == 1:
            self.fields["team"].initial = choices[0][0]

    @classmethod
    def for_user(cls, user: User, data: object = None, **kwargs: object) -> Self:
        return cls(data, user=user, **kwargs)

    def clean(self) -> dict:
        """A submit carrying fields the form does not know is refused, not silently trimmed."""
        unknown = sorted(set(self.data) - set(self.fields) - self.submit_keys)
        if unknown:
            raise forms.ValidationError(
                _("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)}
            )
        return self.cleaned_data

    def team_id(self) -> int | None:
        """The chosen team; a user with only one team to choose need not say it."""
        value = self.cleaned_data.get("team") or NO_TEAM
        if value == NO_TEAM and self.fields["team"].initial:
            value = self.fields["team"].initial
        return int(value) if value != NO_TEAM else None
