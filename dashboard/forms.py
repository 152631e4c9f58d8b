from typing import Any

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.core.validators import MaxLengthValidator


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
