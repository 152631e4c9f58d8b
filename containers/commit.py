"""`docker commit`: the container's own layer (its changes, `docker diff`) becomes the top layer
of a new image, above the unchanged layers of the image it was made from."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.notation.reference import ImageReference, InvalidReference, parse_reference
from dashboard.web.forms import BoundedForm


class CommitForm(BoundedForm):
    repository = forms.CharField(label=gettext_lazy("Repository and tag (REPOSITORY[:TAG])"))
    message = forms.CharField(label=gettext_lazy("Message (-m)"), required=False)
    author = forms.CharField(label=gettext_lazy("Author (-a)"), required=False)
    changes = forms.CharField(
        label=gettext_lazy('Changes (--change), one a line, e.g. CMD ["sh"]'),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )

    def clean_repository(self) -> ImageReference:
        try:
            target = parse_reference(self.cleaned_data["repository"].strip())
        except InvalidReference as exc:
            raise forms.ValidationError(exc.message) from None
        if target.digest:
            raise forms.ValidationError(_("Commit to a tag, not a digest."))
        return target

    def clean_changes(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["changes"].splitlines() if line.strip()]
