from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dashboard.models import Membership, Team


class SignOnIdentity(models.Model):
    """The provider's account a Dockboard user signs in as: its issuer and subject, never an
    e-mail address or a name, which a provider may give to someone else later."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_on"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    login = models.CharField(max_length=255, blank=True)  # what they type (LDAP), for re-checks
    groups = models.JSONField(default=list)  # as the last sign-in gave them
    signed_in_at = models.DateTimeField(null=True)
    # Deactivated because no group gave them a place (not by an administrator): groups that
    # give one again bring them back.
    shut_out = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_user_per_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class GroupMapping(models.Model):
    """A provider group that makes its people administrators, or gives them a role in a team."""

    group = models.CharField(_("group"), max_length=255)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("team"),
    )  # fmt: skip
    role = models.CharField(_("role"), max_length=16, choices=Membership.Role.choices, blank=True)
    administrator = models.BooleanField(_("administrator"), default=False)

    class Meta:
        ordering = ["group", "team__name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(administrator=True, team=None, role=""))
                | (models.Q(administrator=False, team__isnull=False) & ~models.Q(role="")),
                name="administrator_or_team_role",
            ),
            models.UniqueConstraint(fields=["group", "team"], name="one_role_per_group_team"),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {'administrator' if self.administrator else self.role}"
