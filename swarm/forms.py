"""`docker service create` as a form: the fields the CLI names, turned into the SDK's arguments."""

import shlex

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.engine.swarm import service_parameters
from dashboard.notation.units import nano_cpus, parse_cpus, parse_size
from dashboard.web.team_forms import TeamOwnedForm


class ServiceForm(TeamOwnedForm):
    name = forms.SlugField(label=gettext_lazy("Name (--name)"), max_length=63)
    image = forms.CharField(label=gettext_lazy("Image"), max_length=255)
    replicas = forms.IntegerField(
        label=gettext_lazy("Replicas (--replicas)"), min_value=0, max_value=1000, initial=1
    )
    command = forms.CharField(label=gettext_lazy("Command"), required=False, max_length=4096)
    mounts = forms.CharField(
        label=gettext_lazy("Volumes (--mount), one SOURCE:TARGET a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    network = forms.CharField(label=gettext_lazy("Network (--network)"), required=False)
    ports = forms.CharField(
        label=gettext_lazy("Published ports (-p PUBLISHED:TARGET)"), required=False
    )
    memory = forms.CharField(label=gettext_lazy("Memory limit (--limit-memory)"), required=False)
    cpus = forms.CharField(label=gettext_lazy("CPUs (--limit-cpu)"), required=False)

    def clean_memory(self) -> int:
        try:
            return parse_size(self.cleaned_data["memory"]) if self.cleaned_data["memory"] else 0
        except ValueError:
            raise forms.ValidationError(_("Use a size such as 512m or 2g.")) from None

    def clean_cpus(self) -> int:
        try:
            return (
                nano_cpus(parse_cpus(self.cleaned_data["cpus"])) if self.cleaned_data["cpus"] else 0
            )
        except ValueError:
            raise forms.ValidationError(_("Use a number of CPUs such as 0.5 or 2.")) from None

    def clean_ports(self) -> dict[int, int]:
        ports = {}
        for item in self.cleaned_data["ports"].split():
            published, _sep, target = item.partition(":")
            if not (
                published.isascii()
                and published.isdecimal()
                and target.isascii()
                and target.isdecimal()
            ):
                raise forms.ValidationError(_("Use PUBLISHED:TARGET, e.g. 8080:80."))
            ports[int(published)] = int(target)
        return ports

    def clean_command(self) -> list[str]:
        try:
            return shlex.split(self.cleaned_data["command"])
        except ValueError as exc:
            raise forms.ValidationError(
                _("Cannot read this as a command: %(error)s.") % {"error": exc}
            ) from None

    def parameters(self) -> dict:
        """The SDK's create_service arguments, exactly as asked (the gate adds its own)."""
        data = self.cleaned_data
        mounts = []
        for line in data["mounts"].splitlines():
            source, _sep, target = line.strip().partition(":")
            if line.strip():
                kind = "bind" if source.startswith(("/", ".")) else "volume"
                mounts.append((target, source, kind))
        return service_parameters(
            name=data["name"],
            image=data["image"],
            command=data["command"],
            mounts=mounts,
            memory=data["memory"],
            cpus=data["cpus"],
            network=data["network"],
            replicas=data["replicas"],
            ports=data["ports"],
        )
