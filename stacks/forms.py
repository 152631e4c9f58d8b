from django import forms
from django.utils.translation import gettext_lazy

from dashboard.notation.compose_file import MAX_BYTES
from dashboard.web.forms import BoundedForm
from dashboard.web.team_forms import TeamOwnedForm

MOST_POLL_MINUTES = 24 * 60


class ComposeFields(forms.Form):
    """The file and its ``.env``, pasted, or the file uploaded (which then wins)."""

    compose = forms.CharField(
        label=gettext_lazy("compose.yaml"),
        required=False,
        max_length=MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 18, "cols": 80, "spellcheck": "false"}),
    )
    compose_file = forms.FileField(label=gettext_lazy("Or upload compose.yaml"), required=False)
    env = forms.CharField(
        label=gettext_lazy(".env (KEY=VALUE lines, for ${KEY} in the file)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80, "spellcheck": "false"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("compose_file")
        if upload is not None:
            if upload.size > MAX_BYTES:
                raise forms.ValidationError(gettext_lazy("A compose file is at most 256 KiB."))
            try:
                data["compose"] = upload.read().decode()
            except UnicodeDecodeError:
                raise forms.ValidationError(gettext_lazy("A compose file is UTF-8 text.")) from None
        if not (data.get("compose") or "").strip() and not data.get("git_url"):
            raise forms.ValidationError(gettext_lazy("Paste or upload a compose file."))
        return data


class StackForm(ComposeFields, TeamOwnedForm):
    submit_keys = {"csrfmiddlewaretoken", "deploy"}

    name = forms.CharField(
        label=gettext_lazy("Name (docker-compose -p)"),
        max_length=63,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    git_url = forms.CharField(  # the policy reads the address (dashboard.policy.git_sources)
        label=gettext_lazy("Or read it from a Git repository (https:// address)"),
        required=False,
        max_length=500,
    )
    git_branch = forms.CharField(label=gettext_lazy("Branch"), required=False, initial="main")
    git_paths = forms.CharField(
        label=gettext_lazy("Files in the repository (override files after a comma)"),
        required=False,
        initial="compose.yaml",
    )
    git_poll_minutes = forms.IntegerField(
        label=gettext_lazy("Deploy new commits: poll the branch every so many minutes (0: never)"),
        required=False,
        min_value=0,
        max_value=MOST_POLL_MINUTES,
        initial=0,
    )
    field_order = ["name", "team", "compose", "compose_file", "git_url", "git_branch", "git_paths",
                   "git_poll_minutes", "env"]  # fmt: skip


class GitPollForm(BoundedForm):
    git_poll_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes between polls (0: never)"),
        min_value=0,
        max_value=MOST_POLL_MINUTES,
    )


class RedeployForm(ComposeFields, BoundedForm):
    """A deployed stack's new file: its name and team stay. A Git stack's file comes with the
    commit it was fetched at."""

    git_commit = forms.RegexField(
        regex=r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$", required=False, widget=forms.HiddenInput
    )
