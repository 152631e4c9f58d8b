from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dashboard.models import Team


class Stack(models.Model):
    """A compose project Dockboard deployed on one engine: its file and ``.env`` as last
    deployed, and whose it is. Its containers, networks and volumes carry the compose labels
    (so that `docker-compose -p NAME ps` sees them) and are each in the ownership record."""

    engine = models.CharField(max_length=40, default="local")
    name = models.CharField(_("name"), max_length=63)
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    compose = models.TextField()  # as last deployed: override files are later YAML documents
    env = models.TextField(blank=True)
    # A stack read from a Git repository: its address, branch and files, the commit deployed,
    # and the secret its webhook's calls are signed with (encrypted, dashboard.ops.vault).
    git_url = models.URLField(_("Git repository"), max_length=500, blank=True)
    git_branch = models.CharField(_("branch"), max_length=200, blank=True)
    git_paths = models.CharField(_("files"), max_length=500, blank=True)
    git_commit = models.CharField(max_length=64, blank=True)
    webhook_secret = models.TextField(blank=True)
    # Polled by the worker: every so many minutes (0: never), a new commit on the branch is
    # deployed; the last poll's time, and why it failed if it did.
    git_poll_minutes = models.PositiveSmallIntegerField(_("minutes between polls"), default=0)
    git_polled_at = models.DateTimeField(null=True)
    git_poll_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deployed_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["engine", "name"], name="one_stack_a_name")]

    def __str__(self) -> str:
        return self.name
