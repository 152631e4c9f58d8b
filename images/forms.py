import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.notation.reference import ImageReference, InvalidReference, parse_reference
from dashboard.web.forms import BoundedForm, PairsField
from dashboard.web.team_forms import TeamOwnedForm

PLATFORM = re.compile(r"^[a-z0-9_]+/[a-z0-9_]+(?:/[a-z0-9_.]+)?$")


class PullForm(BoundedForm):
    reference = forms.CharField(
        label=gettext_lazy("Image"),
        max_length=600,
        help_text=gettext_lazy("[registry/]repository/name:tag — e.g. ubuntu:14.04, centos:7"),
    )
    platform = forms.CharField(
        label=gettext_lazy("Platform (optional), e.g. linux/amd64"), required=False, max_length=64
    )

    def clean_reference(self) -> ImageReference:
        try:
            return parse_reference(self.cleaned_data["reference"])
        except InvalidReference as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_platform(self) -> str:
        platform = self.cleaned_data["platform"].strip().lower()
        if platform and not PLATFORM.match(platform):
            raise forms.ValidationError(_("Use os/architecture[/variant], e.g. linux/arm64/v8."))
        return platform


class TagForm(BoundedForm):
    target = forms.CharField(label=gettext_lazy("New tag"), max_length=600)

    def clean_target(self) -> ImageReference:
        try:
            reference = parse_reference(self.cleaned_data["target"])
        except InvalidReference as exc:
            raise forms.ValidationError(exc.message) from None
        if reference.digest:
            raise forms.ValidationError(_("A tag cannot carry a digest."))
        return reference


class BuildForm(TeamOwnedForm):
    """`docker build -t TAG [--build-arg K=V] [--target T] CONTEXT`."""

    submit_keys = {"csrfmiddlewaretoken", "build"}
    tag = forms.CharField(
        label=gettext_lazy("Tag (-t)"),
        max_length=600,
        help_text=gettext_lazy("[registry/]repository/name:tag, in your team's namespace"),
    )
    dockerfile = forms.CharField(
        label=gettext_lazy("Dockerfile"),
        required=False,
        max_length=64 * 1024,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80, "spellcheck": "false"}),
        help_text=gettext_lazy("Leave it empty to build with the context's own Dockerfile."),
    )
    context = forms.FileField(
        label=gettext_lazy("Build context (a tar, plain or compressed, or a zip)"),
        required=False,
    )
    git_url = forms.CharField(  # the policy reads the address (dashboard.policy.git_sources)
        label=gettext_lazy("Or the context from a Git repository (https:// address)"),
        required=False,
        max_length=500,
    )
    git_branch = forms.CharField(label=gettext_lazy("Branch"), required=False, initial="main")
    git_folder = forms.CharField(label=gettext_lazy("Folder in the repository"), required=False)
    build_args = PairsField(label=gettext_lazy("Build arguments (--build-arg KEY=VALUE)"))
    target = forms.CharField(label=gettext_lazy("Target stage (--target)"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("context") and data.get("git_url"):
            raise forms.ValidationError(_("Upload a context or name a repository, not both."))
        if not any((data.get("dockerfile") or "").strip() or data.get(source)
                   for source in ("context", "git_url")):  # fmt: skip
            raise forms.ValidationError(_("Type a Dockerfile, or upload a context that has one."))
        return data
