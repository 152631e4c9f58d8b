import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.notation.reference import ImageReference, InvalidReference, parse_reference
from dashboard.web.forms import BoundedForm

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
