"""`docker commit`: the container's own layer (its changes, `docker diff`) becomes the top layer
of a new image, above the unchanged layers of the image it was made from."""

import shlex

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboard.access.containers import access_container
from dashboard.access.roles import User
from dashboard.actions import audit
from dashboard.actions.done import done
from dashboard.engine import containers as engine_containers
from dashboard.notation.names import container_name
from dashboard.notation.reference import ImageReference, InvalidReference, parse_reference
from dashboard.policy import commits as policy_commits
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


def command_line(
    container_name: str, target: str, message: str, author: str, changes: list[str]
) -> str:
    args = ["docker", "commit"]
    if message:
        args += ["-m", message]
    if author:
        args += ["-a", author]
    for change in changes:
        args += ["--change", change]
    return shlex.join([*args, container_name, target])


def commit_to_image(user: User, ref: str, data: dict) -> tuple[str, str]:
    """The new image's id and the message to show."""
    with audit.denials_recorded(user, "commit", target_kind="container", target_name=ref):
        container = access_container(user, ref, change=True)
    target: ImageReference = data["repository"]
    name = container_name(container)
    command = command_line(name, target.familiar, data["message"], data["author"], data["changes"])
    target_of = {"target_kind": "image", "target_name": target.familiar}
    with audit.audited(user, "commit", command, **target_of):
        checked = policy_commits.checked_commit(
            user, container, target, data["message"], data["author"], data["changes"]
        )
        image_id = engine_containers.commit_container(checked)
    policy_commits.committed(checked, image_id)
    message = _("Committed %(name)s as %(image)s") % {"name": name, "image": target.familiar}
    return image_id, done(message, command)
