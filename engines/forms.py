from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy

from dashboard.web.forms import BoundedForm


class EngineForm(BoundedForm):
    name = forms.SlugField(label=gettext_lazy("Name"), max_length=40)
    address = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=255,
        help_text=gettext_lazy("unix:///path/docker.sock, tcp://host:2376 or ssh://user@host"),
    )
    overcommit = forms.DecimalField(
        label=gettext_lazy("Overcommit ratio"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=20,
        decimal_places=2,
        help_text=gettext_lazy(
            "Lab placement lets its running containers request up to its memory times this; "
            "empty: DOCKBOARD_OVERCOMMIT (1: no more than it has)."
        ),
    )
    tls_ca = forms.FileField(label=gettext_lazy("TLS CA certificate"), required=False)
    tls_cert = forms.FileField(label=gettext_lazy("TLS client certificate"), required=False)
    tls_key = forms.FileField(label=gettext_lazy("TLS client key"), required=False)

    def tls_files(self) -> dict[str, bytes] | None:
        """The uploaded TLS files' contents, by kind (None: no TLS)."""
        uploads = {kind: self.cleaned_data[f"tls_{kind}"] for kind in ("ca", "cert", "key")}
        return {kind: upload.read() for kind, upload in uploads.items() if upload} or None
