"""The forms of a team's registry logins: a new one, and a new password for one."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.models import Team
from dashboard.notation.reference import LEGACY_DOMAIN, InvalidReference, parse_reference
from dashboard.policy import registry_guard
from dashboard.web.forms import BoundedForm


def registry_name(text: str) -> str:
    """A registry as image references begin with it: ``127.0.0.1:5000``, ``ghcr.io``;
    ``docker.io`` for Docker Hub. A URL is read for its host."""
    text = text.strip().lower().removeprefix("https://").removeprefix("http://")
    text = text.split("/", 1)[0]
    text = "docker.io" if text == LEGACY_DOMAIN else text
    try:
        domain = parse_reference(f"{text}/image").domain
    except InvalidReference:
        domain = ""
    if not text or domain != text:
        raise forms.ValidationError(
            _("Name a registry as image names begin with it: 127.0.0.1:5000, ghcr.io, docker.io.")
        )
    try:
        registry_guard.check_registry(domain)
    except registry_guard.ForbiddenRegistry as exc:
        raise forms.ValidationError(exc.message) from None
    return domain


class RegistryPasswordForm(BoundedForm):
    username = forms.CharField(label=gettext_lazy("User name"))
    password = forms.CharField(
        label=gettext_lazy("Password or access token"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class RegistryLoginForm(RegistryPasswordForm):
    registry = forms.CharField(
        label=gettext_lazy("Registry"),
        help_text=gettext_lazy("As image names begin with it: 127.0.0.1:5000, ghcr.io, docker.io."),
    )
    engine = forms.ChoiceField(label=gettext_lazy("Used on"), required=False)

    field_order = ["registry", "engine", "username", "password"]

    def __init__(self, *args: object, team: Team, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("every engine of the team"))]
        self.fields["engine"].choices = choices + [(name, name) for name in team.engine_names]

    def clean_registry(self) -> str:
        return registry_name(self.cleaned_data["registry"])
