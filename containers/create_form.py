"""The form behind `docker create` / `docker run`: fields as the CLI names them, checked here."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from containers import spec
from containers.validation import CONTAINER_NAME, MAX_NAME_LENGTH
from dashboard.notation.reference import InvalidReference, parse_reference
from dashboard.notation.units import parse_cpus
from dashboard.web.team_forms import TeamOwnedForm

TEXTAREA = {"rows": 2, "cols": 40}
HOST_NAME_MAX = 64  # Linux refuses a longer one when the container starts


class CreateContainerForm(TeamOwnedForm):
    submit_keys = {"csrfmiddlewaretoken", "create", "run"}

    image = forms.CharField(label=gettext_lazy("Image"), max_length=255)
    name = forms.CharField(
        label=gettext_lazy("Name (--name)"), required=False, max_length=MAX_NAME_LENGTH
    )
    command = forms.CharField(label=gettext_lazy("Command"), required=False, max_length=4096)
    entrypoint = forms.CharField(
        label=gettext_lazy("Entrypoint (--entrypoint)"), required=False, max_length=4096
    )
    interactive = forms.BooleanField(
        label=gettext_lazy("Keep stdin open (-i)"), required=False, initial=True
    )
    tty = forms.BooleanField(
        label=gettext_lazy("Allocate a TTY (-t)"), required=False, initial=True
    )
    env = forms.CharField(
        label=gettext_lazy("Environment (-e), one KEY=VALUE a line"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    ports = forms.CharField(
        label=gettext_lazy("Published ports (-p), e.g. 127.0.0.1:8080:80/tcp"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    mounts = forms.CharField(
        label=gettext_lazy("Volumes (-v), e.g. data:/data or /host/path:/data:ro"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    workdir = forms.CharField(label=gettext_lazy("Working dir (-w)"), required=False)
    user = forms.CharField(label=gettext_lazy("User (-u)"), required=False)
    hostname = forms.CharField(
        label=gettext_lazy("Hostname (-h)"), required=False, max_length=HOST_NAME_MAX
    )
    restart = forms.CharField(
        label=gettext_lazy("Restart policy (--restart)"), required=False, initial="no"
    )
    memory = forms.CharField(label=gettext_lazy("Memory limit (-m), e.g. 256m"), required=False)
    memory_request = forms.CharField(
        label=gettext_lazy("Memory request (--memory-reservation), e.g. 64m"),
        required=False,
        help_text=gettext_lazy(
            "What it needs: the quotas count this, not the limit (the team's request if empty)."
        ),
    )
    cpus = forms.CharField(label=gettext_lazy("CPUs (--cpus), e.g. 0.5"), required=False)
    labels = forms.CharField(
        label=gettext_lazy("Labels (--label), one KEY=VALUE a line"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    network = forms.CharField(label=gettext_lazy("Network (--network)"), required=False)
    privileged = forms.BooleanField(label=gettext_lazy("Privileged (--privileged)"), required=False)
    cap_add = forms.CharField(label=gettext_lazy("Add capabilities (--cap-add)"), required=False)
    cap_drop = forms.CharField(label=gettext_lazy("Drop capabilities (--cap-drop)"), required=False)
    devices = forms.CharField(
        label=gettext_lazy("Devices (--device), e.g. /dev/fuse"), required=False
    )
    sysctls = forms.CharField(
        label=gettext_lazy("Kernel parameters (--sysctl), one KEY=VALUE a line"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
    )
    security_opt = forms.CharField(
        label=gettext_lazy("Security options (--security-opt)"), required=False
    )
    pid = forms.CharField(label=gettext_lazy("PID namespace (--pid)"), required=False)
    ipc = forms.CharField(label=gettext_lazy("IPC namespace (--ipc)"), required=False)
    uts = forms.CharField(label=gettext_lazy("UTS namespace (--uts)"), required=False)
    userns = forms.CharField(label=gettext_lazy("User namespace (--userns)"), required=False)

    def clean(self) -> dict:
        super().clean()
        for name in ("uts", "userns"):
            if self.cleaned_data.get(name, "").strip() not in ("", "host"):
                self.add_error(name, _("The only value is host."))
        return self.cleaned_data

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if name and not CONTAINER_NAME.match(name):
            raise forms.ValidationError(
                _("Use letters, digits and _ . - (two or more, starting with a letter or digit).")
            )
        return name.lstrip("/")

    def clean_image(self) -> str:
        image = self.cleaned_data["image"].strip()
        try:
            parse_reference(image)
        except InvalidReference as exc:
            raise forms.ValidationError(exc.message) from None
        return image

    def clean_cpus(self) -> str:
        text = self.cleaned_data["cpus"].strip()
        if not text:
            return ""
        try:
            value = parse_cpus(text)
        except ValueError:
            value = Decimal(-1)
        if value == 0:
            return ""  # no limit, as with `docker create --cpus 0`
        if not Decimal(0) < value <= Decimal(1024):
            raise forms.ValidationError(_("Use a number of CPUs such as 0.5 or 2."))
        return text

    def to_spec(self) -> spec.ContainerSpec | None:
        """The spec, or None with errors added to the fields they concern."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        try:
            result = spec.ContainerSpec(
                image=data["image"],
                name=data["name"],
                command=spec.split_command(data["command"], "command"),
                entrypoint=spec.split_command(data["entrypoint"], "entrypoint")
                if data["entrypoint"].strip()
                else None,
                interactive=data["interactive"],
                tty=data["tty"],
                env=spec.parse_pairs(data["env"], "env", allow_bare=True),
                ports=spec.parse_ports(data["ports"]),
                mounts=spec.parse_mounts(data["mounts"]),
                workdir=data["workdir"].strip(),
                user=data["user"].strip(),
                hostname=data["hostname"].strip(),
                restart=spec.parse_restart(data["restart"]),
                memory=spec.parse_memory(data["memory"]),
                memory_text=data["memory"].strip(),
                memory_request=spec.parse_memory(data["memory_request"], "memory_request"),
                memory_request_text=data["memory_request"].strip(),
                cpus=data["cpus"],
                labels=dict(
                    line.split("=", 1) for line in spec.parse_pairs(data["labels"], "labels")
                ),
                network=data["network"].strip(),
                privileged=data["privileged"],
                cap_add=spec.parse_words(data["cap_add"]),
                cap_drop=spec.parse_words(data["cap_drop"]),
                devices=spec.parse_words(data["devices"]),
                sysctls=dict(
                    line.split("=", 1) for line in spec.parse_pairs(data["sysctls"], "sysctls")
                ),
                security_opt=spec.parse_words(data["security_opt"]),
                pid=data["pid"].strip(),
                ipc=data["ipc"].strip(),
                uts=data["uts"].strip(),
                userns=data["userns"].strip(),
            )
        except spec.SpecError as exc:
            self.add_error(exc.field, exc.message)
            return None
        return result
