from typing import Any

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _


class FirstAdministratorForm(BaseUserCreationForm):
    """Username and password (twice, validated) of the first administrator."""


LINE_LIMIT = 255
TEXT_LIMIT = 16 * 1024


class BoundedForm(forms.Form):
    """A form whose every text field has a length cap: a field that names none gets one line's
    (255) or, for a text area, 16 KiB. A megabyte of hostname is refused by the form, not sent
    to the engine."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length is None:
                wide = isinstance(field.widget, forms.Textarea)
                field.max_length = TEXT_LIMIT if wide else LINE_LIMIT
                field.validators.append(MaxLengthValidator(field.max_length))
                field.widget.attrs.update(field.widget_attrs(field.widget))


class PairsField(forms.CharField):
    """KEY=VALUE lines (labels, driver options) as a dict."""

    widget = forms.Textarea(attrs={"rows": 2, "cols": 40})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, max_length=TEXT_LIMIT, **kwargs)

    def clean(self, value: Any) -> dict[str, str]:  # type: ignore[override]
        pairs = {}
        for line in filter(None, (line.strip() for line in super().clean(value).splitlines())):
            key, sep, item = line.partition("=")
            if not sep or not key or any(c.isspace() for c in key):
                raise forms.ValidationError(
                    _("Invalid line %(line)s: use KEY=VALUE.") % {"line": repr(line[:80])}
                )
            pairs[key] = item
        return pairs
