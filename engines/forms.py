from django import forms
from django.utils.translation import gettext_lazy

from dashboard.engine.registry import EngineConfigError, add
from dashboard.web.forms import BoundedForm


class EngineForm(BoundedForm):
    name = forms.SlugField(label=gettext_lazy("Name"), max_length=40)
    address = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=255,
        help_text=gettext_lazy("unix:///path/docker.sock, tcp://host:2376 or ssh://user@host"),
    )
    tls_ca = forms.FileField(label=gettext_lazy("TLS CA certificate"), required=False)
    tls_cert = forms.FileField(label=gettext_lazy("TLS client certificate"), required=False)
    tls_key = forms.FileField(label=gettext_lazy("TLS client key"), required=False)

    def save(self) -> bool:
        """Add the engine; False with the reason as a form error."""
        uploads = {kind: self.cleaned_data[f"tls_{kind}"] for kind in ("ca", "cert", "key")}
        given = {kind: upload.read() for kind, upload in uploads.items() if upload}
        try:
            add(self.cleaned_data["name"], self.cleaned_data["address"].strip(), given or None)
        except EngineConfigError as exc:
            self.add_error(None, exc.message)
            return False
        return True
